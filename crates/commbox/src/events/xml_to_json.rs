//! A small, hostile-input-safe reading of XML into a JSON value, for CommBox's XML deliveries.
//!
//! The mapping: an element is an object holding its attributes (as strings) and its child
//! elements under their local names (a name seen twice becomes an array, in document
//! order); an element with neither attributes nor children is its text (a string, `""`
//! when empty); text beside children or attributes is kept under `"#text"`. Namespace
//! prefixes are dropped (`soap:Body` is `Body`), `xmlns` attributes are skipped.
//!
//! What it refuses (a [`Decode`](crate::ErrorKind::Decode) error), so that a hostile body
//! cannot exhaust memory or read files:
//! - any `<!DOCTYPE …>`: no DTD is read, so no entity is ever declared, let alone expanded
//!   (the "billion laughs" bomb and external entities both need one);
//! - an entity reference other than the five predefined ones and character references;
//! - nesting deeper than [`MAX_XML_DEPTH`];
//! - malformed or truncated XML (unclosed or mismatched elements, text outside the root).

use super::decode_error;
use crate::error::Result;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};
use serde_json::{Map, Value};

/// Deepest element nesting accepted. CommBox's deepest documented path is five levels
/// (`Event/Object/Children/Child/User/Identity`); the cap keeps a deep document from
/// building a value whose drop would recurse that deep.
pub(crate) const MAX_XML_DEPTH: usize = 64;

/// The field named in errors about the body.
const FIELD: &str = "body";

struct Frame {
    name: String,
    map: Map<String, Value>,
    text: String,
    has_children: bool,
}

/// Reads `xml` (UTF-8) into `{"<root name>": <root value>}`.
pub(crate) fn xml_to_json(xml: &[u8]) -> Result<Value> {
    let mut reader = Reader::from_reader(xml);
    let config = reader.config_mut();
    config.check_end_names = true;
    config.allow_unmatched_ends = false;
    config.expand_empty_elements = false;
    let mut stack: Vec<Frame> = Vec::new();
    let mut root: Option<Value> = None;
    let bad = |what: String| decode_error(FIELD, format!("not well-formed XML: {what}"));
    loop {
        let position = reader.buffer_position();
        let event = reader
            .read_event()
            .map_err(|e| bad(format!("{e} (at byte {position})")))?;
        match event {
            Event::Start(start) => {
                if root.is_some() {
                    return Err(bad("more than one root element".into()));
                }
                if stack.len() >= MAX_XML_DEPTH {
                    return Err(decode_error(
                        FIELD,
                        format!("XML nested deeper than {MAX_XML_DEPTH} elements"),
                    ));
                }
                stack.push(open(&start).map_err(bad)?);
            }
            Event::Empty(start) => {
                if root.is_some() {
                    return Err(bad("more than one root element".into()));
                }
                let frame = open(&start).map_err(bad)?;
                close(frame, &mut stack, &mut root);
            }
            Event::End(_) => {
                // check_end_names has matched the name; an unmatched end is an error above.
                let frame = stack
                    .pop()
                    .ok_or_else(|| bad("an end tag without a start".into()))?;
                close(frame, &mut stack, &mut root);
            }
            Event::Text(text) => {
                let text = text
                    .xml10_content()
                    .map_err(|e| bad(format!("text is not UTF-8: {e}")))?;
                push_text(&mut stack, &text).map_err(bad)?;
            }
            Event::CData(data) => {
                let text = data
                    .xml10_content()
                    .map_err(|e| bad(format!("CDATA is not UTF-8: {e}")))?;
                push_text(&mut stack, &text).map_err(bad)?;
            }
            Event::GeneralRef(reference) => {
                let resolved = match reference
                    .resolve_char_ref()
                    .map_err(|e| bad(format!("bad character reference: {e}")))?
                {
                    Some(c) => c.to_string(),
                    None => {
                        let name = reference
                            .decode()
                            .map_err(|e| bad(format!("entity name is not UTF-8: {e}")))?;
                        // Only the five predefined entities: no DTD is read, so any other
                        // name is undeclared, and it is never looked up anywhere else.
                        resolve_predefined_entity(&name)
                            .ok_or_else(|| {
                                decode_error(
                                    FIELD,
                                    format!(
                                        "XML entity &{name}; is not allowed (only &lt; &gt; \
                                         &amp; &quot; &apos; and character references)"
                                    ),
                                )
                            })?
                            .to_owned()
                    }
                };
                push_text(&mut stack, &resolved).map_err(bad)?;
            }
            Event::DocType(_) => {
                return Err(decode_error(
                    FIELD,
                    "XML with a DOCTYPE is not accepted (no DTD, no entity declarations)",
                ));
            }
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) => {}
            Event::Eof => {
                if let Some(open) = stack.last() {
                    return Err(bad(format!(
                        "truncated: <{}> is not closed at the end",
                        open.name
                    )));
                }
                return root.ok_or_else(|| bad("no root element".into()));
            }
        }
    }
}

fn open(start: &BytesStart<'_>) -> Result<Frame, String> {
    let name = local(start.local_name().as_ref())?;
    let mut map = Map::new();
    for attr in start.attributes() {
        let attr = attr.map_err(|e| format!("bad attribute in <{name}>: {e}"))?;
        let key = attr.key;
        if key.as_ref() == b"xmlns" || key.prefix().is_some_and(|p| p.as_ref() == b"xmlns") {
            continue;
        }
        let key = local(key.local_name().as_ref())?;
        let value = attr
            .normalized_value_with(XmlVersion::Implicit1_0, 1, resolve_predefined_entity)
            .map_err(|e| format!("bad value of attribute {key} in <{name}>: {e}"))?;
        map.insert(key, Value::String(value.into_owned()));
    }
    Ok(Frame {
        name,
        map,
        text: String::new(),
        has_children: false,
    })
}

fn local(name: &[u8]) -> Result<String, String> {
    std::str::from_utf8(name)
        .map(str::to_owned)
        .map_err(|_| "a name is not UTF-8".to_owned())
}

fn push_text(stack: &mut [Frame], text: &str) -> Result<(), String> {
    match stack.last_mut() {
        Some(frame) => {
            frame.text.push_str(text);
            Ok(())
        }
        None if text.trim().is_empty() => Ok(()),
        None => Err("text outside the root element".into()),
    }
}

fn close(frame: Frame, stack: &mut [Frame], root: &mut Option<Value>) {
    let Frame {
        name,
        mut map,
        text,
        has_children,
    } = frame;
    let value = if map.is_empty() && !has_children {
        Value::String(text)
    } else {
        if !text.trim().is_empty() {
            map.insert("#text".into(), Value::String(text.trim().to_owned()));
        }
        Value::Object(map)
    };
    match stack.last_mut() {
        Some(parent) => {
            parent.has_children = true;
            match parent.map.get_mut(&name) {
                // An element's value is a string or an object, never an array, so an array
                // under the name is the list of its earlier repeats.
                Some(Value::Array(items)) => items.push(value),
                Some(existing) => {
                    let first = existing.take();
                    *existing = Value::Array(vec![first, value]);
                }
                None => {
                    parent.map.insert(name, value);
                }
            }
        }
        None => {
            let mut doc = Map::new();
            doc.insert(name, value);
            *root = Some(Value::Object(doc));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;
    use serde_json::json;

    #[test]
    fn elements_attributes_text_and_repeats() {
        let v = xml_to_json(
            br#"<?xml version="1.0"?><Event Subscription="Object" Name="OnNewChild"><Object Id="5"><Children><Child Id="1"><Message>a &amp; b &#x41;</Message><Snippet/></Child><Child Id="2"><Message><![CDATA[<x>]]></Message></Child></Children></Object></Event>"#,
        )
        .unwrap();
        assert_eq!(
            v,
            json!({"Event": {"Subscription": "Object", "Name": "OnNewChild", "Object": {"Id": "5",
                "Children": {"Child": [{"Id": "1", "Message": "a & b A", "Snippet": ""},
                                        {"Id": "2", "Message": "<x>"}]}}}})
        );
    }

    #[test]
    fn namespaces_are_dropped() {
        let v = xml_to_json(
            br#"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><Event Name="X"/></soap:Body></soap:Envelope>"#,
        )
        .unwrap();
        assert_eq!(v, json!({"Envelope": {"Body": {"Event": {"Name": "X"}}}}));
    }

    #[test]
    fn refusals() {
        for (xml, needle) in [
            (&b"<a><b></a>"[..], "not well-formed"),
            (b"<a><b>", "truncated"),
            (b"<a/><b/>", "more than one root"),
            (b"", "no root element"),
            (b"<a>&ent;</a>", "&ent; is not allowed"),
            (b"<!DOCTYPE a><a/>", "DOCTYPE"),
            (b"<a x=\"&ent;\"/>", "bad value of attribute"),
            (b"x<a/>", "text outside"),
        ] {
            let e = xml_to_json(xml).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Decode, "{e}");
            assert!(e.message().contains(needle), "{needle}: {e}");
        }
    }

    #[test]
    fn depth_is_capped() {
        let ok = format!(
            "{}{}",
            "<a>".repeat(MAX_XML_DEPTH),
            "</a>".repeat(MAX_XML_DEPTH)
        );
        assert!(xml_to_json(ok.as_bytes()).is_ok());
        let deep = format!(
            "{}{}",
            "<a>".repeat(MAX_XML_DEPTH + 1),
            "</a>".repeat(MAX_XML_DEPTH + 1)
        );
        let e = xml_to_json(deep.as_bytes()).unwrap_err();
        assert!(e.message().contains("nested deeper"), "{e}");
    }
}
