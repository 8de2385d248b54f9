//! Text bodies (GeoJSON, CSV, KML) as Unicode. Chinese offices' tools still save GBK; such a
//! body is read only when the caller says so, because a wrong guess would store garbled names.

use crate::geojson_io::Problem;
use std::borrow::Cow;
use std::str::FromStr;

/// The encodings an import can be told its text is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextEncoding {
    Utf8,
    /// GBK and its supersets GB2312 and GB18030 (one decoder reads them all).
    Gbk,
}

impl TextEncoding {
    pub fn name(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Gbk => "GBK",
        }
    }

    /// Decodes `bytes`, or `None` if they are not valid in this encoding.
    pub fn decode(self, bytes: &[u8]) -> Option<Cow<'_, str>> {
        match self {
            TextEncoding::Utf8 => {
                let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
                std::str::from_utf8(bytes).ok().map(Cow::Borrowed)
            }
            TextEncoding::Gbk => {
                encoding_rs::GBK.decode_without_bom_handling_and_without_replacement(bytes)
            }
        }
    }
}

/// `utf-8`, `gbk`, and the names GBK goes by (`gb2312`, `gb18030`, `cp936`, `936`).
impl FromStr for TextEncoding {
    type Err = String;

    fn from_str(name: &str) -> Result<Self, String> {
        match name
            .trim()
            .to_ascii_lowercase()
            .replace(['-', '_'], "")
            .as_str()
        {
            "utf8" | "65001" => Ok(TextEncoding::Utf8),
            "gbk" | "gb2312" | "gb18030" | "cp936" | "936" => Ok(TextEncoding::Gbk),
            _ => Err(format!(
                "the encoding `{name}` is not supported: use utf-8 or gbk"
            )),
        }
    }
}

/// The text of a `format` body: UTF-8 unless `encoding` says otherwise. A body that is not
/// UTF-8 gets an error naming what it looks like and the two ways to send it.
pub fn decode<'a>(
    body: &'a [u8],
    encoding: Option<TextEncoding>,
    format: &str,
) -> Result<Cow<'a, str>, Problem> {
    let encoding = encoding.unwrap_or(TextEncoding::Utf8);
    if let Some(text) = encoding.decode(body) {
        return Ok(text);
    }
    let message = match (encoding, TextEncoding::Gbk.decode(body)) {
        (TextEncoding::Utf8, Some(_)) => {
            format!("the {format} is not UTF-8 (byte {} is not valid there) but reads as GBK/GB18030 text: import it with `?encoding=gbk` (`--encoding gbk`), or convert it first with `iconv -f GBK -t UTF-8 in > out`", utf8_error_at(body))
        }
        (TextEncoding::Utf8, None) => format!(
            "the {format} is neither UTF-8 (byte {} is not valid there) nor GBK: save it as UTF-8",
            utf8_error_at(body)
        ),
        (TextEncoding::Gbk, _) => format!(
            "the {format} is not valid GBK although `encoding=gbk` was given: drop the parameter if it is UTF-8, or save it as UTF-8"
        ),
    };
    Err(Problem::Encoding(message))
}

fn utf8_error_at(body: &[u8]) -> usize {
    std::str::from_utf8(body)
        .err()
        .map_or(0, |e| e.valid_up_to())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gbk_is_named_and_read_when_asked() {
        let (gbk, _, _) = encoding_rs::GBK.encode("{\"name\": \"第五网格\"}");
        let error = decode(&gbk, None, "GeoJSON").unwrap_err().to_string();
        assert!(
            error.contains("GBK")
                && error.contains("encoding=gbk")
                && error.contains("iconv -f GBK -t UTF-8"),
            "{error}"
        );
        assert!(error.contains("byte 10"), "{error}");
        assert_eq!(
            decode(&gbk, Some(TextEncoding::Gbk), "GeoJSON").unwrap(),
            "{\"name\": \"第五网格\"}"
        );
        assert_eq!(
            decode("\u{feff}网格".as_bytes(), None, "CSV").unwrap(),
            "网格"
        );
    }

    #[test]
    fn encoding_names() {
        assert_eq!("GB18030".parse(), Ok(TextEncoding::Gbk));
        assert_eq!("utf_8".parse(), Ok(TextEncoding::Utf8));
        assert!("latin1".parse::<TextEncoding>().is_err());
    }
}
