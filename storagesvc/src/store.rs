//! The dataset: loaded and validated once at start, then read-only.
//!
//! Every response body (each record, each partition's id listing, the partition
//! listing) is serialised once here, with its strong `ETag`, so a request only looks
//! up bytes and clones a reference-counted handle: no JSON work on the hot path.
//!
//! Memory is about the data's own size. The file is streamed through the
//! parser (never held whole, never built into a generic JSON tree): each
//! record is transcoded straight into one arena as compact JSON, next to its
//! id and its `ETag`, and the index holds 16 bytes per record plus a 4-byte
//! hash-table slot. A lookup hands out slices of the arena (reference-counted,
//! no copy). Measured by `bench/dataset.py` ([docs/benchmarks.md]).
//!
//! [docs/benchmarks.md]: ../../docs/benchmarks.md

use std::{collections::HashMap, fmt, fs::File, hash::BuildHasher, io::BufReader, path::Path};

use actix_web::{http::header::HeaderValue, web::Bytes};
use hashbrown::HashTable;
use serde::{
    Deserializer, Serialize,
    de::{self, DeserializeSeed, MapAccess, Visitor},
};
use serde_json::error::Category;

/// foldhash instead of std's SipHash: lookups are most of a request's own
/// work, and SipHash's protection against crafted colliding keys is moot here:
/// the tables are built once from the data file and never grow, so a caller's
/// key can only probe, never lengthen, a bucket's chain.
type Hasher = foldhash::fast::RandomState;

/// The dataset compiled into the binary, used unless `DATA_FILE` is set.
pub const EMBEDDED_DATASET: &str = include_str!("../data/dataset.json");

/// Longest partition key or id accepted in a data file. Longer keys could never be
/// requested through the gateway anyway (request lines are bounded).
const MAX_KEY_LEN: usize = 1024;

/// `"` + 32 hex digits + `"`: a quoted xxh3-128 of the body.
const ETAG_LEN: usize = 34;

/// A response body serialised at load time, with its strong entity tag.
#[derive(Debug, Clone)]
pub struct Body {
    pub json: Bytes,
    /// Quoted strong entity tag, e.g. `"9c1f…"`, ready to send. A hash of the
    /// bytes, so every replica serving the same data hands out the same tag.
    pub etag: HeaderValue,
}

impl Body {
    fn of<T: Serialize>(value: &T) -> Self {
        // Serialising our own listing types cannot fail: string keys, no floats.
        let json = serde_json::to_vec(value).unwrap_or_default();
        let etag = HeaderValue::from_bytes(&etag_of(&json)).expect("a quoted hex string is a valid header value");
        Self { json: Bytes::from(json), etag }
    }

    /// The entity tag without its quotes, for comparing with `If-None-Match`.
    pub fn opaque_tag(&self) -> &str {
        let quoted = self.etag.to_str().unwrap_or_default();
        quoted.trim_matches('"')
    }
}

fn etag_of(json: &[u8]) -> [u8; ETAG_LEN] {
    let mut tag = [b'"'; ETAG_LEN];
    let hex = format!("{:032x}", xxhash_rust::xxh3::xxh3_128(json));
    tag[1..ETAG_LEN - 1].copy_from_slice(hex.as_bytes());
    tag
}

/// One record in the arena: its id, then its quoted `ETag`, then its body.
#[derive(Debug, Clone, Copy)]
struct Slot {
    start: usize,
    id_len: u32,
    body_len: u32,
}

impl Slot {
    fn id(self) -> std::ops::Range<usize> {
        self.start..self.start + self.id_len as usize
    }

    fn etag(self) -> std::ops::Range<usize> {
        let at = self.id().end;
        at..at + ETAG_LEN
    }

    fn body(self) -> std::ops::Range<usize> {
        let at = self.etag().end;
        at..at + self.body_len as usize
    }
}

#[derive(Debug)]
struct Partition {
    listing: Body,
    /// Sorted by id.
    slots: Vec<Slot>,
    /// Indexes into `slots`, by the hash of the id.
    index: HashTable<u32>,
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
    arena: Bytes,
    listing: Body,
    partitions: HashMap<Box<str>, Partition, Hasher>,
    hasher: Hasher,
    record_count: usize,
}

/// Why a dataset could not be loaded. Always names its source; JSON syntax errors
/// carry the line and column, and so do shape errors found while parsing.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read data file {source_name}: {cause}")]
    Unreadable { source_name: String, cause: std::io::Error },
    #[error("data file {source_name} is not valid JSON at line {line}, column {column}: {message}")]
    Syntax { source_name: String, line: usize, column: usize, message: String },
    #[error("data file {source_name} has the wrong shape{at}: {problem}")]
    Shape { source_name: String, at: Position, problem: String },
}

/// Where in the file a shape problem was found, if it was found while parsing.
#[derive(Debug, Default)]
pub struct Position(Option<(usize, usize)>);

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some((line, column)) => write!(f, " at line {line}, column {column}"),
            None => Ok(()),
        }
    }
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
                let unreadable = |cause| LoadError::Unreadable { source_name: source_name.clone(), cause };
                let file = File::open(path).map_err(unreadable)?;
                let size = file.metadata().map_err(unreadable)?.len();
                let reader = BufReader::with_capacity(1 << 16, file);
                Self::build(serde_json::Deserializer::from_reader(reader), size as usize, &source_name)
            }
        }
    }

    /// Parses and validates a dataset `{ "<partitionKey>": { "<id>": <any JSON> } }`.
    /// All or nothing: any problem rejects the whole file.
    pub fn from_json(bytes: &[u8], source_name: &str) -> Result<Self, LoadError> {
        Self::build(serde_json::Deserializer::from_slice(bytes), bytes.len(), source_name)
    }

    fn build<'de, R: serde_json::de::Read<'de>>(
        mut json: serde_json::Deserializer<R>,
        size_hint: usize,
        source_name: &str,
    ) -> Result<Self, LoadError> {
        let mut builder =
            Builder { arena: Vec::with_capacity(size_hint), hasher: Hasher::default(), broken_record: false };
        let parsed = (&mut json).deserialize_map(RootVisitor(&mut builder)).and_then(|partitions| {
            json.end()?;
            Ok(partitions)
        });
        let partitions = parsed.map_err(|e| load_error(&e, builder.broken_record, source_name))?;
        let shape = |problem: String| LoadError::Shape {
            source_name: source_name.to_owned(),
            at: Position::default(),
            problem,
        };
        if partitions.is_empty() {
            return Err(shape("it contains no partitions".into()));
        }
        let Builder { mut arena, hasher, .. } = builder;
        arena.shrink_to_fit();
        let mut map = HashMap::with_capacity_and_hasher(partitions.len(), hasher.clone());
        let mut record_count = 0;
        for (key, mut slots) in partitions {
            slots.sort_unstable_by(|a, b| arena[a.id()].cmp(&arena[b.id()]));
            if let Some(pair) = slots.windows(2).find(|pair| arena[pair[0].id()] == arena[pair[1].id()]) {
                let id = String::from_utf8_lossy(&arena[pair[0].id()]);
                return Err(shape(format!("partition {} has record id {} twice", excerpt(&key), excerpt(&id))));
            }
            if map.contains_key(key.as_str()) {
                return Err(shape(format!("partition key {} appears twice", excerpt(&key))));
            }
            record_count += slots.len();
            let partition = Partition::new(&key, slots, &arena, &hasher);
            map.insert(key.into_boxed_str(), partition);
        }
        let mut keys: Vec<&str> = map.keys().map(|k| &**k).collect();
        keys.sort_unstable();
        let listing = Body::of(&PartitionList { partitions: keys });
        Ok(Self { arena: Bytes::from(arena), listing, partitions: map, hasher, record_count })
    }

    /// `{"partitions": [...]}`, sorted.
    pub fn partitions(&self) -> &Body {
        &self.listing
    }

    /// `{"partition": "<pk>", "ids": [...]}`, sorted.
    pub fn ids(&self, partition: &str) -> Result<&Body, Missing> {
        self.partitions.get(partition).map(|p| &p.listing).ok_or(Missing::Partition)
    }

    /// The stored record, as loaded (compact JSON, the file's key order).
    pub fn record(&self, partition: &str, id: &str) -> Result<Body, Missing> {
        let partition = self.partitions.get(partition).ok_or(Missing::Partition)?;
        let hash = self.hasher.hash_one(id.as_bytes());
        let slots = &partition.slots;
        let &found = partition
            .index
            .find(hash, |&i| &self.arena[slots[i as usize].id()] == id.as_bytes())
            .ok_or(Missing::Record)?;
        let slot = slots[found as usize];
        let etag = HeaderValue::from_maybe_shared(self.arena.slice(slot.etag()))
            .expect("the arena holds a quoted hex string here");
        Ok(Body { json: self.arena.slice(slot.body()), etag })
    }

    pub fn partition_count(&self) -> usize {
        self.partitions.len()
    }

    pub fn record_count(&self) -> usize {
        self.record_count
    }
}

impl Partition {
    fn new(key: &str, slots: Vec<Slot>, arena: &[u8], hasher: &Hasher) -> Self {
        let hash = |slot: &Slot| hasher.hash_one(&arena[slot.id()]);
        let mut index = HashTable::with_capacity(slots.len());
        for (i, slot) in slots.iter().enumerate() {
            index.insert_unique(hash(slot), i as u32, |&j| hash(&slots[j as usize]));
        }
        // Ids were checked as UTF-8 strings when they were read.
        let ids = slots.iter().map(|s| std::str::from_utf8(&arena[s.id()]).unwrap_or_default()).collect();
        let listing = Body::of(&IdList { partition: key, ids });
        Self { listing, slots, index }
    }
}

/// The arena being filled while the file streams through the parser.
struct Builder {
    arena: Vec<u8>,
    hasher: Hasher,
    /// Set when a record's own JSON was broken: transcoding reports that as a
    /// custom (data) error, and it must still be called a syntax error.
    broken_record: bool,
}

/// The top level: an object of partitions.
struct RootVisitor<'b>(&'b mut Builder);

impl<'de> Visitor<'de> for RootVisitor<'_> {
    type Value = Vec<(String, Vec<Slot>)>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the top level to be an object of partitions")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut partitions = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            check_key(&key).map_err(|why| de::Error::custom(format!("partition key {}: {why}", excerpt(&key))))?;
            let slots = map.next_value_seed(PartitionSeed { builder: self.0, key: &key })?;
            partitions.push((key, slots));
        }
        Ok(partitions)
    }
}

/// One partition: an object of records.
struct PartitionSeed<'b, 'k> {
    builder: &'b mut Builder,
    key: &'k str,
}

impl<'de> DeserializeSeed<'de> for PartitionSeed<'_, '_> {
    type Value = Vec<Slot>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for PartitionSeed<'_, '_> {
    type Value = Vec<Slot>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "partition {} to be an object of records", excerpt(self.key))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut slots = Vec::new();
        let Builder { arena, broken_record, .. } = self.builder;
        while let Some(id) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            check_key(&id).map_err(|why| {
                de::Error::custom(format!("record id {} in partition {}: {why}", excerpt(&id), excerpt(self.key)))
            })?;
            let start = arena.len();
            arena.extend_from_slice(id.as_bytes());
            arena.extend_from_slice(&[0; ETAG_LEN]);
            let body_start = arena.len();
            map.next_value_seed(Compact(arena)).inspect_err(|_| *broken_record = true)?;
            let tag = etag_of(&arena[body_start..]);
            arena[body_start - ETAG_LEN..body_start].copy_from_slice(&tag);
            let body_len = u32::try_from(arena.len() - body_start)
                .map_err(|_| de::Error::custom(format!("record {} is larger than 4 GiB", excerpt(&id))))?;
            slots.push(Slot { start, id_len: id.len() as u32, body_len });
        }
        Ok(slots)
    }
}

/// Any JSON value, written to the arena as compact JSON without building it
/// in memory (serde_transcode: parser events straight into the serialiser).
struct Compact<'a>(&'a mut Vec<u8>);

impl<'de> DeserializeSeed<'de> for Compact<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        let mut serializer = serde_json::Serializer::new(self.0);
        serde_transcode::transcode(deserializer, &mut serializer).map_err(de::Error::custom)
    }
}

/// Sorts serde_json's error into ours, position first.
fn load_error(e: &serde_json::Error, broken_record: bool, source_name: &str) -> LoadError {
    let source_name = source_name.to_owned();
    match e.classify() {
        _ if broken_record => {
            LoadError::Syntax { source_name, line: e.line(), column: e.column(), message: strip_position(e) }
        }
        Category::Io => LoadError::Unreadable { source_name, cause: std::io::Error::other(strip_position(e)) },
        Category::Syntax | Category::Eof => {
            LoadError::Syntax { source_name, line: e.line(), column: e.column(), message: strip_position(e) }
        }
        Category::Data => {
            LoadError::Shape { source_name, at: Position(Some((e.line(), e.column()))), problem: strip_position(e) }
        }
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
    use serde_json::Value;

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
        assert_eq!(text.len(), ETAG_LEN);
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
            ("[]", "expected the top level to be an object of partitions"),
            ("{}", "no partitions"),
            (r#"{"p": [1, 2]}"#, r#"invalid type: sequence, expected partition "p" to be an object of records"#),
            (r#"{"p": {"1": 1, "1": 2}}"#, r#"partition "p" has record id "1" twice"#),
            (r#"{"p": {}, "p": {}}"#, r#"partition key "p" appears twice"#),
            (r#"{"": {}}"#, "must not be empty"),
            (r#"{"a/b": {}}"#, "must not contain `/`"),
            (r#"{"p": {"x\u0007": 1}}"#, "control characters"),
        ] {
            let err = load(json).unwrap_err().to_string();
            assert!(err.contains(expected), "{json}: {err}");
            assert!(err.contains("test.json"), "{err}");
        }
        let err = load("{\n\"p\": 5}").unwrap_err().to_string();
        assert!(
            err.contains("wrong shape at line 2, column"),
            "a shape error found while parsing has a position: {err}"
        );
    }

    #[test]
    fn records_are_compacted_in_the_files_key_order() {
        let store = load("{ \"p\" : { \"1\" : { \"b\" : [ 1 , 2 ] ,\n \"a\" : \"x y\" } } }").unwrap();
        assert_eq!(&store.record("p", "1").unwrap().json[..], br#"{"b":[1,2],"a":"x y"}"#);
    }

    #[test]
    fn a_data_file_is_streamed_with_the_same_result() {
        let json = r#"{"p": {"2": {"v": 2}, "1": {"v": "\u00e9"}}, "q": {"x": null}}"#;
        let path = std::env::temp_dir().join(format!("store-test-{}.json", std::process::id()));
        std::fs::write(&path, json).unwrap();
        let streamed = Store::load(Some(&path));
        std::fs::remove_file(&path).unwrap();
        let (streamed, sliced) = (streamed.unwrap(), load(json).unwrap());
        for (pk, id) in [("p", "1"), ("p", "2"), ("q", "x")] {
            let (a, b) = (streamed.record(pk, id).unwrap(), sliced.record(pk, id).unwrap());
            assert_eq!((a.json, a.etag), (b.json, b.etag), "{pk}/{id}");
        }
        assert_eq!(streamed.ids("p").unwrap().json, sliced.ids("p").unwrap().json);
        assert_eq!(&streamed.record("p", "1").unwrap().json[..], "{\"v\":\"é\"}".as_bytes());
    }

    #[test]
    fn many_records_are_all_found() {
        let records: Vec<String> = (0..5000).map(|i| format!("\"id{i}\": {{\"n\": {i}}}")).collect();
        let store = load(&format!("{{\"p\": {{{}}}}}", records.join(","))).unwrap();
        for i in (0..5000).step_by(7) {
            assert_eq!(store.record("p", &format!("id{i}")).unwrap().json, format!("{{\"n\":{i}}}"));
        }
        assert_eq!(store.record("p", "id5000").unwrap_err(), Missing::Record);
        assert_eq!(store.record_count(), 5000);
    }
}
