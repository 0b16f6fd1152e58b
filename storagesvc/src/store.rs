//! The dataset: loaded and validated once at start, then read-only.
//!
//! Every response body (each record, each partition's id listing, the partition
//! listing) is serialised once here, with its strong `ETag`, so a request only looks
//! up bytes and clones a reference-counted handle: no JSON work on the hot path.

use std::{collections::HashMap, fmt, path::Path};

/// The store's maps. foldhash instead of std's SipHash: lookups are most of a
/// request's own work, and SipHash's protection against crafted colliding keys
/// is moot here: the tables are built once from the data file and never grow,
/// so a caller's key can only probe, never lengthen, a bucket's chain.
type Map<V> = HashMap<Box<str>, V, foldhash::fast::RandomState>;

use actix_web::{http::header::HeaderValue, web::Bytes};
use serde::Serialize;
use serde_json::{Map as JsonMap, Value};

/// The dataset compiled into the binary, used unless `DATA_FILE` is set.
pub const EMBEDDED_DATASET: &str = include_str!("../data/dataset.json");

/// Longest partition key or id accepted in a data file. Longer keys could never be
/// requested through the gateway anyway (request lines are bounded).
const MAX_KEY_LEN: usize = 1024;

/// A response body serialised at load time, with its strong entity tag.
#[derive(Debug, Clone)]
pub struct Body {
    pub json: Bytes,
    /// Quoted strong entity tag, e.g. `"9c1f…"`, ready to send. A hash of the
    /// bytes, so every replica serving the same data hands out the same tag.
    pub etag: HeaderValue,
}

impl Body {
    fn new(json: Vec<u8>) -> Self {
        let etag = format!("\"{:032x}\"", xxhash_rust::xxh3::xxh3_128(&json));
        let etag = HeaderValue::from_str(&etag).expect("a quoted hex string is a valid header value");
        Self { json: Bytes::from(json), etag }
    }

    /// The entity tag without its quotes, for comparing with `If-None-Match`.
    pub fn opaque_tag(&self) -> &str {
        let quoted = self.etag.to_str().unwrap_or_default();
        quoted.trim_matches('"')
    }

    fn of<T: Serialize>(value: &T) -> Self {
        // Serialising our own listing types cannot fail: string keys, no floats.
        Self::new(serde_json::to_vec(value).unwrap_or_default())
    }
}

#[derive(Debug)]
struct Partition {
    listing: Body,
    records: Map<Body>,
}

/// Why a lookup found nothing.
#[derive(Debug, PartialEq, Eq)]
pub enum Missing {
    Partition,
    Record,
}

/// The whole dataset, immutable once built.
#[derive(Debug)]
pub struct Store {
    listing: Body,
    partitions: Map<Partition>,
    record_count: usize,
}

/// Why a dataset could not be loaded. Always names its source; JSON syntax errors
/// carry the line and column.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read data file {source_name}: {cause}")]
    Unreadable { source_name: String, cause: std::io::Error },
    #[error("data file {source_name} is not valid JSON at line {line}, column {column}: {message}")]
    Syntax { source_name: String, line: usize, column: usize, message: String },
    #[error("data file {source_name} has the wrong shape: {problem}")]
    Shape { source_name: String, problem: String },
}

/// The listing bodies, shaped as the API documents them.
#[derive(Serialize)]
struct PartitionList<'a> {
    partitions: Vec<&'a str>,
}

#[derive(Serialize)]
struct IdList<'a> {
    partition: &'a str,
    ids: Vec<&'a str>,
}

impl Store {
    /// Loads `DATA_FILE` when given, the embedded dataset otherwise.
    pub fn load(data_file: Option<&Path>) -> Result<Self, LoadError> {
        match data_file {
            None => Self::from_json(EMBEDDED_DATASET.as_bytes(), "(embedded dataset)"),
            Some(path) => {
                let source_name = path.display().to_string();
                let bytes = std::fs::read(path)
                    .map_err(|cause| LoadError::Unreadable { source_name: source_name.clone(), cause })?;
                Self::from_json(&bytes, &source_name)
            }
        }
    }

    /// Parses and validates a dataset `{ "<partitionKey>": { "<id>": <any JSON> } }`.
    /// All or nothing: any problem rejects the whole file.
    pub fn from_json(bytes: &[u8], source_name: &str) -> Result<Self, LoadError> {
        let shape = |problem: String| LoadError::Shape { source_name: source_name.to_owned(), problem };
        let root: Value = serde_json::from_slice(bytes).map_err(|e| LoadError::Syntax {
            source_name: source_name.to_owned(),
            line: e.line(),
            column: e.column(),
            message: strip_position(&e),
        })?;
        let Value::Object(root) = root else {
            return Err(shape(format!("the top level must be an object of partitions, found {}", kind(&root))));
        };
        if root.is_empty() {
            return Err(shape("it contains no partitions".into()));
        }

        let mut partitions = Map::with_capacity_and_hasher(root.len(), Default::default());
        let mut record_count = 0;
        for (key, value) in &root {
            check_key(key).map_err(|why| shape(format!("partition key {}: {why}", excerpt(key))))?;
            let Value::Object(records) = value else {
                return Err(shape(format!(
                    "partition {} must be an object of records, found {}",
                    excerpt(key),
                    kind(value)
                )));
            };
            partitions.insert(key.as_str().into(), Self::partition(key, records, &shape)?);
            record_count += records.len();
        }

        let mut keys: Vec<&str> = root.keys().map(String::as_str).collect();
        keys.sort_unstable();
        let listing = Body::of(&PartitionList { partitions: keys });
        Ok(Self { listing, partitions, record_count })
    }

    fn partition(
        key: &str,
        records: &JsonMap<String, Value>,
        shape: &impl Fn(String) -> LoadError,
    ) -> Result<Partition, LoadError> {
        let mut bodies = Map::with_capacity_and_hasher(records.len(), Default::default());
        for (id, record) in records {
            check_key(id)
                .map_err(|why| shape(format!("record id {} in partition {}: {why}", excerpt(id), excerpt(key))))?;
            let json = serde_json::to_vec(record).map_err(|e| shape(e.to_string()))?;
            bodies.insert(id.as_str().into(), Body::new(json));
        }
        let mut ids: Vec<&str> = records.keys().map(String::as_str).collect();
        ids.sort_unstable();
        let listing = Body::of(&IdList { partition: key, ids });
        Ok(Partition { listing, records: bodies })
    }

    /// `{"partitions": [...]}`, sorted.
    pub fn partitions(&self) -> &Body {
        &self.listing
    }

    /// `{"partition": "<pk>", "ids": [...]}`, sorted.
    pub fn ids(&self, partition: &str) -> Result<&Body, Missing> {
        self.partitions.get(partition).map(|p| &p.listing).ok_or(Missing::Partition)
    }

    /// The stored record, exactly as loaded (compact JSON).
    pub fn record(&self, partition: &str, id: &str) -> Result<&Body, Missing> {
        let partition = self.partitions.get(partition).ok_or(Missing::Partition)?;
        partition.records.get(id).ok_or(Missing::Record)
    }

    pub fn partition_count(&self) -> usize {
        self.partitions.len()
    }

    pub fn record_count(&self) -> usize {
        self.record_count
    }
}

/// Keys must be addressable as one URL path segment.
fn check_key(key: &str) -> Result<(), &'static str> {
    if key.is_empty() {
        Err("must not be empty")
    } else if key.len() > MAX_KEY_LEN {
        Err("is longer than 1024 bytes")
    } else if key.contains('/') {
        Err("must not contain `/`")
    } else if key.chars().any(char::is_control) {
        Err("must not contain control characters")
    } else {
        Ok(())
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A key quoted for an error message, cut short if long.
fn excerpt(key: &str) -> impl fmt::Display + '_ {
    struct Excerpt<'a>(&'a str);
    impl fmt::Display for Excerpt<'_> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            match self.0.char_indices().nth(40) {
                Some((cut, _)) => write!(f, "{:?}…", &self.0[..cut]),
                None => write!(f, "{:?}", self.0),
            }
        }
    }
    Excerpt(key)
}

/// serde_json appends " at line L column C" to its messages; we report the
/// position ourselves, first, so drop the suffix.
fn strip_position(e: &serde_json::Error) -> String {
    let message = e.to_string();
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_owned(),
        None => message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(json: &str) -> Result<Store, LoadError> {
        Store::from_json(json.as_bytes(), "test.json")
    }

    #[test]
    fn embedded_dataset_is_realistic() {
        let store = Store::load(None).unwrap();
        assert!(store.partition_count() >= 3);
        for pk in ["customers", "orders", "products"] {
            let ids: Value = serde_json::from_slice(&store.ids(pk).unwrap().json).unwrap();
            assert!(ids["ids"].as_array().unwrap().len() >= 20, "{pk}");
        }
    }

    #[test]
    fn listings_are_sorted_and_records_round_trip() {
        let store = load(r#"{"b": {"2": {"x": 1}, "1": [true, null]}, "a": {}}"#).unwrap();
        assert_eq!(&store.partitions().json[..], br#"{"partitions":["a","b"]}"#);
        assert_eq!(&store.ids("b").unwrap().json[..], br#"{"partition":"b","ids":["1","2"]}"#);
        assert_eq!(&store.record("b", "1").unwrap().json[..], b"[true,null]");
        assert_eq!(store.record("b", "3").unwrap_err(), Missing::Record);
        assert_eq!(store.record("c", "1").unwrap_err(), Missing::Partition);
        assert_eq!(store.record_count(), 2);
    }

    #[test]
    fn etags_are_strong_stable_and_distinct() {
        let a = load(r#"{"p": {"1": {"v": 1}, "2": {"v": 2}}}"#).unwrap();
        let b = load(r#"{"p": {"2": {"v": 2}, "1": {"v": 1}}}"#).unwrap();
        let tag = &a.record("p", "1").unwrap().etag;
        let text = tag.to_str().unwrap();
        assert!(text.starts_with('"') && text.ends_with('"') && !text.starts_with("W/"));
        assert_eq!(tag, &b.record("p", "1").unwrap().etag, "same bytes, same tag on every replica");
        assert_ne!(tag, &a.record("p", "2").unwrap().etag);
    }

    #[test]
    fn syntax_errors_report_line_and_column() {
        let err = load("{\n  \"p\": {\n    \"1\": {,}\n  }\n}").unwrap_err().to_string();
        assert!(err.contains("test.json") && err.contains("line 3, column 11"), "{err}");
        assert_eq!(err.matches("line").count(), 1, "position given once: {err}");
    }

    #[test]
    fn wrong_shapes_are_rejected_with_the_reason() {
        for (json, expected) in [
            ("[]", "top level must be an object"),
            ("{}", "no partitions"),
            (r#"{"p": [1, 2]}"#, r#"partition "p" must be an object of records, found an array"#),
            (r#"{"": {}}"#, "must not be empty"),
            (r#"{"a/b": {}}"#, "must not contain `/`"),
            (r#"{"p": {"x\u0007": 1}}"#, "control characters"),
        ] {
            let err = load(json).unwrap_err().to_string();
            assert!(err.contains(expected), "{json}: {err}");
            assert!(err.contains("test.json"), "{err}");
        }
    }
}
