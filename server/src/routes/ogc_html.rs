//! OGC API – Features as HTML, for a person with a browser: the same documents as the JSON
//! answers, drawn as headings, tables and links (each link to its HTML form). No script and
//! no inline style, so the page's CSP holds.

use serde_json::Value;

/// The HTML page of an OGC API JSON document (landing page, collections, a collection, a page
/// of items or one item).
pub fn render(doc: &Value) -> String {
    let title = doc["title"]
        .as_str()
        .or(doc["id"].as_str())
        .unwrap_or("onemap OGC API – Features");
    let mut body = format!("<h1>{}</h1>\n", escape(title));
    if let Some(d) = doc["description"].as_str() {
        body.push_str(&format!("<p>{}</p>\n", escape(d)));
    }
    if let Some(collections) = doc["collections"].as_array() {
        body.push_str("<table>\n<tr><th>id</th><th>名称</th><th>说明</th></tr>\n");
        for c in collections {
            let items = link_of(c, "items").unwrap_or_default();
            body.push_str(&format!(
                "<tr><td><a href=\"{}\">{}</a></td><td>{}</td><td>{}</td></tr>\n",
                escape(&html_href(&items)),
                escape(&text(&c["id"])),
                escape(&text(&c["title"])),
                escape(&text(&c["description"])),
            ));
        }
        body.push_str("</table>\n");
    }
    if let Some(features) = doc["features"].as_array() {
        body.push_str(&format!(
            "<p>{} of {} features</p>\n",
            text(&doc["numberReturned"]),
            text(&doc["numberMatched"])
        ));
        body.push_str(&feature_table(features));
    }
    if doc["type"] == "Feature" {
        body.push_str("<table>\n");
        body.push_str(&format!(
            "<tr><th>id</th><td>{}</td></tr>\n",
            escape(&text(&doc["id"]))
        ));
        if let Some(properties) = doc["properties"].as_object() {
            for (k, v) in properties {
                body.push_str(&format!(
                    "<tr><th>{}</th><td>{}</td></tr>\n",
                    escape(k),
                    escape(&text(v))
                ));
            }
        }
        body.push_str("</table>\n");
    }
    if let Some(links) = doc["links"].as_array() {
        body.push_str("<ul>\n");
        for l in links {
            let href = l["href"].as_str().unwrap_or_default();
            let href = if l["rel"] == "service-desc" {
                href.to_string()
            } else {
                html_href(href)
            };
            body.push_str(&format!(
                "<li><a rel=\"{}\" href=\"{}\">{}</a></li>\n",
                escape(&text(&l["rel"])),
                escape(&href),
                escape(&text(&l["title"]))
            ));
        }
        body.push_str("</ul>\n");
    }
    format!(
        "<!doctype html>\n<html lang=\"zh-CN\">\n<head><meta charset=\"utf-8\"><title>{}</title></head>\n<body>\n{body}</body>\n</html>\n",
        escape(title)
    )
}

/// Features as a table: id (linking to the feature), then every property the first one has.
fn feature_table(features: &[Value]) -> String {
    let columns: Vec<String> = features
        .first()
        .and_then(|f| f["properties"].as_object())
        .map(|p| p.keys().filter(|k| *k != "id").cloned().collect())
        .unwrap_or_default();
    let mut out = String::from("<table>\n<tr><th>id</th>");
    for c in &columns {
        out.push_str(&format!("<th>{}</th>", escape(c)));
    }
    out.push_str("</tr>\n");
    for f in features {
        let id = text(&f["id"]);
        out.push_str(&format!(
            "<tr><td><a href=\"items/{}?f=html\">{}</a></td>",
            escape(&super::ogc::percent(&id)),
            escape(&id)
        ));
        for c in &columns {
            out.push_str(&format!("<td>{}</td>", escape(&text(&f["properties"][c]))));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table>\n");
    out
}

fn link_of(doc: &Value, rel: &str) -> Option<String> {
    doc["links"]
        .as_array()?
        .iter()
        .find(|l| l["rel"] == rel)
        .and_then(|l| l["href"].as_str())
        .map(str::to_string)
}

/// The HTML form of a link: the same URL with `f=html`.
fn html_href(href: &str) -> String {
    let joiner = if href.contains('?') { '&' } else { '?' };
    format!("{href}{joiner}f=html")
}

fn text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// `s` safe in HTML text and attribute values.
fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_are_escaped_and_links_lead_to_html() {
        let page = render(&json!({
            "type": "FeatureCollection", "numberMatched": 1, "numberReturned": 1,
            "links": [{ "href": "http://h/ogc/collections/grid/items?limit=1&offset=1", "rel": "next", "title": "the next page" }],
            "features": [{ "type": "Feature", "id": "g<1>", "properties": { "name": "<script>x</script>" } }],
        }));
        assert!(page.contains("&lt;script&gt;x&lt;/script&gt;"), "{page}");
        assert!(!page.contains("<script>"), "{page}");
        assert!(
            page.contains("items?limit=1&amp;offset=1&amp;f=html"),
            "{page}"
        );
        assert!(page.contains("href=\"items/g%3C1%3E?f=html\""), "{page}");
    }
}
