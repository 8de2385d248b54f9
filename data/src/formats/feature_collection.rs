//! GeoJSON FeatureCollections, in UTF-8 or (when told) GBK, in the system their `crs` names.

use super::{text, ImportOptions, Source};
use crate::geojson_io::{collection_parts, ImportError};

pub(super) fn read(body: &[u8], options: &ImportOptions) -> Result<Source, ImportError> {
    let text = text::decode(body, options.encoding, "GeoJSON")
        .map_err(|p| ImportError::feature(None, p))?;
    let (features, crs) = collection_parts(text.as_bytes())?;
    Ok(Source::new(features, crs))
}
