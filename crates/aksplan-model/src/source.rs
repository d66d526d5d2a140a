//! Reading YAML, TOML and JSON into one shape: a JSON value plus a source map.
//!
//! Every later stage (schema, model checks, rules, policies) speaks JSON pointers. The parsers are
//! the only format-specific code: they produce a `serde_json::Value` and a `SourceMap` from each
//! pointer to the byte span of its value and of its key, so a finding about any pointer lands on
//! the exact line and column of the file the user wrote. Safety limits (size, depth, alias
//! expansion) are enforced here, before anything else sees the input.

use std::fmt;
use std::hash::BuildHasher;
use std::ops::Range;
use std::sync::Arc;

use serde::Deserialize;
use serde::de::{Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use crate::codes;
use crate::finding::{Finding, Label, Source};
use crate::tree::{Node, Strings};

/// Deeper nesting is refused; a plan needs about ten levels.
pub const MAX_DEPTH: usize = 64;
/// Upper bound on YAML parser events per 16 MiB of the input limit (`files::max_input_bytes`).
/// A generated 5,000-cluster, 8-pool fleet plan (21 MiB) has 1.6 million events and 1.45 million
/// nodes, about 70,000 nodes a MiB: the budgets leave room for a plan of the limit's size.
const YAML_EVENTS_PER_16_MIB: u64 = 2_000_000;
/// Upper bound on YAML nodes (after alias expansion) per 16 MiB of the input limit.
const YAML_NODES_PER_16_MIB: u64 = 1_500_000;
/// Events replayed from aliases, at least (see `yaml_options`).
const MIN_ALIAS_REPLAY_EVENTS: usize = 100_000;
/// Events replayed from aliases per byte of input, at most.
const ALIAS_REPLAY_EVENTS_PER_BYTE: usize = 16;

/// A YAML budget scaled with the input limit, so that raising `--max-input-size` raises what a
/// file of that size may legitimately hold; never below the budget of the default limit.
fn yaml_budget(per_16_mib: u64) -> usize {
    let scale = crate::files::max_input_bytes().max(crate::files::DEFAULT_MAX_INPUT_BYTES);
    let scaled =
        u128::from(per_16_mib) * u128::from(scale) / u128::from(crate::files::DEFAULT_MAX_INPUT_BYTES);
    usize::try_from(scaled).unwrap_or(usize::MAX)
}

fn max_yaml_nodes() -> usize {
    yaml_budget(YAML_NODES_PER_16_MIB)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Yaml,
    Toml,
    Json,
}

impl Format {
    /// The format named by a file's extension, if it names one.
    pub fn from_path(path: &str) -> Option<Self> {
        let ext = path.rsplit_once('.').map(|(_, ext)| ext.to_ascii_lowercase())?;
        match ext.as_str() {
            "yaml" | "yml" => Some(Format::Yaml),
            "toml" => Some(Format::Toml),
            "json" => Some(Format::Json),
            _ => None,
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Yaml => "YAML",
            Format::Toml => "TOML",
            Format::Json => "JSON",
        })
    }
}

/// Byte spans of every value and key, by JSON pointer (`""` is the root).
///
/// Held as a tree of pointer segments, not as pointer strings: each entry is its parent's index,
/// its own segment (escaped as in a pointer, in one shared string) and its spans, and a pointer is
/// looked up segment by segment. A string per pointer (with a hash-map entry each, and the
/// `format!` that built it) was a third of a large plan's memory and a tenth of its time.
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    /// Entry 0 is the root (`""`).
    entries: Vec<MapEntry>,
    /// Every distinct segment once: an entry names its segment by number, shared by the entries
    /// with the same segment (a plan repeats its keys and item numbers: 1.4 MB of segments and
    /// 8 bytes an entry for a range at 1,000 clusters, 11 kB distinct).
    segments: Segments,
    /// Each distinct segment's number, by its text, while the map is built.
    distinct: hashbrown::HashTable<u32>,
    /// Entries by parent and segment. foldhash, seeded per process: a plan is the user's own
    /// file, bounded by the input limit.
    children: hashbrown::HashTable<u32>,
    hasher: foldhash::fast::RandomState,
}

/// The distinct segments of a map, back to back, and the range of each.
#[derive(Debug, Clone)]
struct Segments {
    text: String,
    ranges: Vec<[u32; 2]>,
}

impl Default for Segments {
    /// Segment 0 is the root's, `""`.
    fn default() -> Self {
        Self {
            text: String::new(),
            ranges: vec![[0, 0]],
        }
    }
}

impl Segments {
    /// The text of segment `id`.
    fn of(&self, id: u32) -> &str {
        self.ranges
            .get(id as usize)
            .and_then(|range| self.text.get(range[0] as usize..range[1] as usize))
            .unwrap_or_default()
    }
}

/// One pointer: its parent entry, its last segment (a number in `segments`) and the spans of its
/// value and key, `NONE` when it has none (the root has no key; a key is recorded before its
/// value is walked).
#[derive(Debug, Clone, Copy)]
struct MapEntry {
    parent: u32,
    segment: u32,
    value: [u32; 2],
    key: [u32; 2],
}

/// No span.
const NONE: [u32; 2] = [u32::MAX, u32::MAX];

/// Texts longer than this are refused ([`decode`]): spans are 32-bit, and a Latin-1 file can
/// double in size as UTF-8.
const MAX_SPANNED_BYTES: u64 = (u32::MAX / 2) as u64;

fn compact(span: &Range<usize>) -> [u32; 2] {
    // In range: texts are at most `MAX_SPANNED_BYTES` long.
    [
        u32::try_from(span.start).unwrap_or(u32::MAX - 1),
        u32::try_from(span.end).unwrap_or(u32::MAX - 1),
    ]
}

fn expand(span: [u32; 2]) -> Option<Range<usize>> {
    (span != NONE).then(|| span[0] as usize..span[1] as usize)
}

/// The root entry's index.
const ROOT: u32 = 0;

impl SourceMap {
    /// A map holding only the root, whose value is `span`.
    fn with_root(span: &Range<usize>) -> Self {
        let mut map = Self::default();
        map.entries.push(MapEntry {
            parent: u32::MAX,
            segment: 0,
            value: compact(span),
            key: NONE,
        });
        map
    }

    fn hash(&self, parent: u32, segment: &str) -> u64 {
        self.hasher.hash_one((parent, segment))
    }

    /// The child of `parent` named `segment` (already escaped), if it is there.
    fn child(&self, parent: u32, segment: &str) -> Option<u32> {
        let hash = self.hash(parent, segment);
        self.children
            .find(hash, matcher(&self.entries, &self.segments, parent, segment))
            .copied()
    }

    /// The child of `parent` named `segment` (unescaped), added when it is new. One hash and
    /// one probe per node of the walk.
    fn add_child(&mut self, parent: u32, segment: &str) -> u32 {
        let segment = escape_segment(segment);
        let hash = self.hash(parent, &segment);
        let (entries, segments) = (&self.entries, &self.segments);
        let slot = self.children.entry(
            hash,
            matcher(entries, segments, parent, &segment),
            rehasher(entries, segments, &self.hasher),
        );
        let vacant = match slot {
            hashbrown::hash_table::Entry::Occupied(occupied) => return *occupied.get(),
            hashbrown::hash_table::Entry::Vacant(vacant) => vacant,
        };
        let index = u32::try_from(self.entries.len()).unwrap_or(u32::MAX);
        let id = {
            let segments = &mut self.segments;
            let hasher = &self.hasher;
            match self.distinct.entry(
                hasher.hash_one(&*segment),
                |id| segments.of(*id) == segment,
                |id| hasher.hash_one(segments.of(*id)),
            ) {
                hashbrown::hash_table::Entry::Occupied(occupied) => *occupied.get(),
                hashbrown::hash_table::Entry::Vacant(vacant) => {
                    let start = u32::try_from(segments.text.len()).unwrap_or(u32::MAX);
                    segments.text.push_str(&segment);
                    let end = u32::try_from(segments.text.len()).unwrap_or(u32::MAX);
                    let id = u32::try_from(segments.ranges.len()).unwrap_or(u32::MAX);
                    segments.ranges.push([start, end]);
                    *vacant.insert(id).get()
                }
            }
        };
        self.entries.push(MapEntry {
            parent,
            segment: id,
            value: NONE,
            key: NONE,
        });
        vacant.insert(index);
        index
    }

    /// Records the span of the value of `entry`.
    fn set_value(&mut self, entry: u32, span: &Range<usize>) {
        if let Some(e) = self.entries.get_mut(entry as usize) {
            e.value = compact(span);
        }
    }

    /// Records the span of the key that holds the value of `entry`.
    fn set_key(&mut self, entry: u32, span: &Range<usize>) {
        if let Some(e) = self.entries.get_mut(entry as usize) {
            e.key = compact(span);
        }
    }

    /// Gives back what growing took (the map is complete).
    fn finish(&mut self) {
        self.entries.shrink_to_fit();
        self.segments.text.shrink_to_fit();
        self.segments.ranges.shrink_to_fit();
        // Only the building looks segments up by their text.
        self.distinct = hashbrown::HashTable::new();
    }

    /// Makes room, at once, for about as many entries as a YAML text of `text` has lines and
    /// separators (block YAML has about one per line): grown by doubling from nothing, the map's
    /// large blocks moved several times and left holes the rest of the run filled only slowly.
    /// [`SourceMap::finish`] gives back what was not used.
    fn reserve_for(&mut self, text: &Reserve) {
        self.entries.reserve_exact(text.entries);
        let rehash = rehasher(&self.entries, &self.segments, &self.hasher);
        self.children.reserve(text.entries, rehash);
    }

    /// Calls `visit` with each entry along `pointer` from the root, as far as they exist; the
    /// index of `pointer`'s own entry when all of them do. A pointer that is neither `""` nor
    /// starts with `/` names nothing, not even the root.
    fn descend(&self, pointer: &str, mut visit: impl FnMut(&MapEntry)) -> Option<u32> {
        let segments = match pointer {
            "" => None,
            _ => Some(pointer.strip_prefix('/')?.split('/')),
        };
        let root = self.entries.first()?;
        visit(root);
        let mut at = ROOT;
        if let Some(segments) = segments {
            for segment in segments {
                at = self.child(at, segment)?;
                if let Some(entry) = self.entries.get(at as usize) {
                    visit(entry);
                }
            }
        }
        Some(at)
    }

    /// The index of exactly `pointer`'s entry.
    fn index(&self, pointer: &str) -> Option<u32> {
        self.descend(pointer, |_| {})
    }

    fn entry(&self, pointer: &str) -> Option<&MapEntry> {
        self.entries.get(self.index(pointer)? as usize)
    }

    /// The span of the value at `pointer`, or of its nearest ancestor that has one.
    pub fn value_span(&self, pointer: &str) -> Range<usize> {
        let mut found = 0..0;
        self.descend(pointer, |entry| {
            if let Some(span) = expand(entry.value) {
                found = span;
            }
        });
        found
    }

    /// The span of the key that holds the value at `pointer`; falls back to the value's span.
    pub fn key_span(&self, pointer: &str) -> Range<usize> {
        self.entry(pointer)
            .and_then(|e| expand(e.key))
            .unwrap_or_else(|| self.value_span(pointer))
    }

    pub fn has_value(&self, pointer: &str) -> bool {
        self.entry(pointer).is_some_and(|e| e.value != NONE)
    }

    /// Whether entry `index` is `ancestor` or below it.
    fn is_within(&self, mut index: u32, ancestor: u32) -> bool {
        loop {
            if index == ancestor {
                return true;
            }
            match self.entries.get(index as usize) {
                Some(e) if e.parent != u32::MAX => index = e.parent,
                _ => return false,
            }
        }
    }

    /// Every value's and key's start with its entry, in file order.
    fn starts(&self) -> Vec<(u32, u32)> {
        let mut starts: Vec<(u32, u32)> = Vec::with_capacity(self.entries.len() * 2);
        for (index, e) in self.entries.iter().enumerate() {
            let index = u32::try_from(index).unwrap_or(u32::MAX);
            starts.extend(
                [e.value, e.key]
                    .into_iter()
                    .filter(|span| *span != NONE)
                    .map(|span| (span[0], index)),
            );
        }
        starts.sort_unstable();
        starts
    }
}

/// The segment of `entry`.
fn segment_of<'a>(segments: &'a Segments, entry: &MapEntry) -> &'a str {
    segments.of(entry.segment)
}

/// Whether a table slot holds the child of `parent` named `segment`.
fn matcher<'a>(
    entries: &'a [MapEntry],
    segments: &'a Segments,
    parent: u32,
    segment: &'a str,
) -> impl Fn(&u32) -> bool + 'a {
    move |&index| {
        entries
            .get(index as usize)
            .is_some_and(|e| e.parent == parent && segment_of(segments, e) == segment)
    }
}

/// The hash of an entry already in the table, for the table to grow by (a free function: the
/// table is borrowed mutably while it runs).
fn rehasher<'a>(
    entries: &'a [MapEntry],
    segments: &'a Segments,
    hasher: &'a foldhash::fast::RandomState,
) -> impl Fn(&u32) -> u64 + 'a {
    move |&index| {
        entries.get(index as usize).map_or(0, |entry| {
            hasher.hash_one((entry.parent, segment_of(segments, entry)))
        })
    }
}

/// One segment escaped for a pointer (RFC 6901), without a copy when nothing needs escaping.
fn escape_segment(segment: &str) -> std::borrow::Cow<'_, str> {
    if segment.contains(['~', '/']) {
        std::borrow::Cow::Owned(escape_pointer_segment(segment))
    } else {
        std::borrow::Cow::Borrowed(segment)
    }
}

/// A parsed file: its text, its value and where each part of the value came from.
#[derive(Debug, Clone)]
pub struct Document {
    pub source: Arc<Source>,
    pub format: Format,
    pub value: Value,
    pub map: SourceMap,
}

impl Document {
    /// A label on the value at `pointer`.
    pub fn label(&self, pointer: &str) -> Label {
        Label::new(&self.source, self.map.value_span(pointer))
    }

    /// A label on the key that holds the value at `pointer`.
    pub fn key_label(&self, pointer: &str) -> Label {
        Label::new(&self.source, self.map.key_span(pointer))
    }

    /// Where the document's entries end ([`Extents::extent`]): an index of every start in it,
    /// sorted once, for a caller that places several entries and drops it after.
    pub fn extents(&self) -> Extents<'_> {
        Extents {
            doc: self,
            starts: self.map.starts(),
        }
    }

    /// The text of the value at `pointer` exactly as written in the file.
    pub fn raw_text(&self, pointer: &str) -> Option<&str> {
        if !self.map.has_value(pointer) {
            return None;
        }
        self.source.text.get(self.map.value_span(pointer))
    }
}

/// Every value's and key's start in one document with its entry, in file order: where an
/// entry's extent ends. Made by the caller that places findings and dropped with it; kept with the
/// document, it was 2.4 MB of a 1,000-cluster plan's run from the first finding to the end.
pub struct Extents<'a> {
    doc: &'a Document,
    starts: Vec<(u32, u32)>,
}

impl<'a> Extents<'a> {
    /// The document indexed.
    pub fn doc(&self) -> &'a Document {
        self.doc
    }

    /// The bytes the entry at `pointer` occupies: from its start to the start of the next value
    /// outside it (a block mapping's own span does not always reach its last line).
    pub fn extent(&self, pointer: &str) -> Range<usize> {
        let map = &self.doc.map;
        let start = map.value_span(pointer).start;
        let own = map.index(pointer);
        // In file order from `start`: the entry's own descendants come first; the first entry
        // that is not one of them ends it. Costs the size of the entry, not of the file.
        let after = self.starts.partition_point(|(s, _)| *s as usize <= start);
        let end = self
            .starts
            .get(after..)
            .unwrap_or_default()
            .iter()
            .find(|(_, index)| !own.is_some_and(|own| map.is_within(*index, own)))
            .map_or(self.doc.source.text.len(), |(s, _)| *s as usize);
        start..end
    }
}

/// Escapes one JSON-pointer segment (RFC 6901).
pub fn escape_pointer_segment(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// The JSON pointer of a `serde_path_to_error` path (where typed deserialization failed).
pub fn pointer_of_path(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    path.iter()
        .map(|segment| match segment {
            Segment::Seq { index } => format!("/{index}"),
            Segment::Map { key } => format!("/{}", escape_pointer_segment(key)),
            Segment::Enum { variant } => format!("/{}", escape_pointer_segment(variant)),
            Segment::Unknown => String::new(),
        })
        .collect()
}

/// Parses bytes in the given format. Errors are findings (code, message, location), never panics.
pub fn parse_document(name: &str, bytes: impl Into<Vec<u8>>, format: Format) -> Result<Document, Finding> {
    let (source, parsed, map) = parse_any(name, bytes, format)?;
    let value = match parsed {
        Parsed::Value(value) => value,
        Parsed::Tree(tree) => tree.into_value(),
    };
    Ok(Document {
        source,
        format,
        value,
        map,
    })
}

/// [`parse_document`] for a plan: the value as a compact [`Node`] tree beside the document,
/// whose `value` is `null` (the types are read from the tree; [`Node::into_value`] gives the
/// `serde_json` value when something needs it).
pub fn parse_plan_document(
    name: &str,
    bytes: impl Into<Vec<u8>>,
    format: Format,
) -> Result<(Document, Node), Finding> {
    let (source, parsed, map) = parse_any(name, bytes, format)?;
    let tree = match parsed {
        Parsed::Value(value) => Node::from_value(value, &mut Strings::default()),
        Parsed::Tree(tree) => tree,
    };
    let doc = Document {
        source,
        format,
        value: Value::Null,
        map,
    };
    Ok((doc, tree))
}

/// A document's value as its parser made it.
enum Parsed {
    Value(Value),
    Tree(Node),
}

fn parse_any(
    name: &str,
    bytes: impl Into<Vec<u8>>,
    format: Format,
) -> Result<(Arc<Source>, Parsed, SourceMap), Finding> {
    let source = decode(name, bytes)?;
    if source.text.trim().is_empty() {
        return Err(Finding::new(codes::EMPTY, format!("`{name}` is empty"))
            .help("a plan starts with `apiVersion: aksplan/v1` and `kind: UpgradePlan`"));
    }
    let (parsed, map) = match format {
        Format::Yaml => parse_yaml(&source).map(|(tree, map)| (Parsed::Tree(tree), map))?,
        Format::Toml => parse_toml(&source).map(|(value, map)| (Parsed::Value(value), map))?,
        Format::Json => parse_json(&source).map(|(tree, map)| (Parsed::Tree(tree), map))?,
    };
    // A TOML file of comments only is an empty table, where YAML has a null: the same mistake.
    let nothing = match &parsed {
        Parsed::Tree(tree) => tree.is_null(),
        Parsed::Value(value) => {
            value.is_null()
                || (format == Format::Toml && value.as_object().is_some_and(serde_json::Map::is_empty))
        }
    };
    if nothing {
        return Err(Finding::new(
            codes::EMPTY,
            format!("`{name}` holds no document (only comments)"),
        )
        .at(Label::new(&source, 0..0))
        .help("a plan starts with `apiVersion: aksplan/v1` and `kind: UpgradePlan`"));
    }
    Ok((source, parsed, map))
}

/// The text of an input: within the size limit, UTF-8 (other encodings are named), without its
/// byte-order mark. Every problem is located in the file when it has a place.
pub fn decode(name: &str, bytes: impl Into<Vec<u8>>) -> Result<Arc<Source>, Finding> {
    // Owned, so that valid UTF-8 becomes the text without a copy: a plan's bytes and its text
    // were two copies of the file for the whole run (4 MiB each at 1,000 clusters).
    let bytes: Vec<u8> = bytes.into();
    let limit = crate::files::max_input_bytes().min(MAX_SPANNED_BYTES);
    if bytes.len() as u64 > limit {
        return Err(crate::files::too_large(name, bytes.len() as u64, limit));
    }
    // Editors and PowerShell (`>` and `Out-File` in Windows PowerShell 5) write UTF-16 with a
    // byte-order mark; name the encoding instead of showing a line of NUL bytes.
    let bom = [
        (&b"\x00\x00\xfe\xff"[..], "UTF-32 (big-endian)"),
        (&b"\xff\xfe\x00\x00"[..], "UTF-32 (little-endian)"),
        (&b"\xfe\xff"[..], "UTF-16 (big-endian)"),
        (&b"\xff\xfe"[..], "UTF-16 (little-endian)"),
    ]
    .into_iter()
    .find(|(mark, _)| bytes.starts_with(mark))
    .map(|(_, encoding)| encoding);
    let utf16_without_bom = bom.is_none() && looks_like_utf16(&bytes);
    if let Some(encoding) = bom.or(utf16_without_bom.then_some("UTF-16 without a byte-order mark")) {
        // The text would be unreadable in a snippet; the label only places the finding at 1:1.
        let source = Source::new(name, String::new());
        return Err(Finding::new(
            codes::ENCODING,
            format!("`{name}` is {encoding} text, not UTF-8"),
        )
        .at(Label::new(&source, 0..0).with_message("not UTF-8"))
        .help("save the file as UTF-8; in PowerShell pipe into `Out-File -Encoding utf8 FILE` (or use PowerShell 7) instead of redirecting with `>`"));
    }
    let mut text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(err) => {
            let valid_up_to = err.utf8_error().valid_up_to();
            let lossy = String::from_utf8_lossy(err.as_bytes()).into_owned();
            let source = Source::new(name, lossy);
            // The lossy text has the same bytes up to the first bad one, so the offset is valid.
            let start = valid_up_to.min(source.text.len());
            return Err(Finding::new(
                codes::ENCODING,
                format!("`{name}` is not UTF-8 text (invalid byte at offset {valid_up_to})"),
            )
            .at(Label::new(&source, start..start).with_message("not UTF-8"))
            .help("save the file as UTF-8"));
        }
    };
    // A byte-order mark is legal at the start of all three formats' files but not part of them.
    if text.starts_with('\u{feff}') {
        text.drain(..'\u{feff}'.len_utf8());
    }
    Ok(Source::new(name, text))
}

/// UTF-16 text without a byte-order mark is valid UTF-8 when it is ASCII: every other byte is
/// NUL. Text never has NUL bytes, so a run of them in the first line is enough to tell.
fn looks_like_utf16(bytes: &[u8]) -> bool {
    let head = bytes.get(..bytes.len().min(64)).unwrap_or_default();
    head.len() >= 4 && head.iter().filter(|b| **b == 0).count() * 3 >= head.len()
}

/// The YAML documents being read on this thread: a source map each, and where the next value
/// read goes.
///
/// serde-saphyr gives spans only through `Spanned<T>`, once `T` is read. A tree of spanned nodes
/// walked into a value afterwards was as large again as the value (39 MiB of a 1,000-cluster
/// plan's 61 MiB parse peak), so each node's value is made as it is read ([`Streamed`]), its
/// entry is added to the map when its reading starts, and the spans of it and its key are
/// recorded when its `Spanned` returns. Thread-local because `Deserialize` takes no context; set
/// only for the length of one parse ([`read_yaml`]).
struct Walk {
    maps: Vec<SourceMap>,
    next: Next,
    /// Room to make in the first document's map.
    reserve: Option<Reserve>,
    /// Each distinct key and string read, once.
    strings: Strings,
}

/// What a YAML text's map will about hold.
struct Reserve {
    entries: usize,
}

impl Reserve {
    /// About one entry per line, flow item (`,`) and flow collection (`[`, `{`), and one more
    /// per block sequence item (`- key: value` is two); a sixteenth more, so that a close
    /// estimate is not exceeded: past it the map doubles, which at 1,000 clusters held twice the
    /// entries (10 MiB) at the peak of the parse. (The segments are kept once each: a few
    /// kilobytes, grown as they come.)
    fn for_text(text: &str) -> Self {
        let mut count = 1;
        let mut previous = b'\n';
        for &byte in text.as_bytes() {
            count +=
                usize::from(matches!(byte, b'\n' | b',' | b'[' | b'{') || (byte == b' ' && previous == b'-'));
            previous = byte;
        }
        Self {
            entries: count + count / 16,
        }
    }
}

/// Where the next value read goes.
enum Next {
    /// The root of a new document (with a map of its own).
    Document,
    /// The child `segment` (unescaped) of entry `parent`.
    Child { parent: u32, segment: String },
}

thread_local! {
    static WALK: std::cell::RefCell<Option<Walk>> = const { std::cell::RefCell::new(None) };
}

/// Calls `f` on this thread's walk; `None` when no parse is under way.
fn with_walk<R>(f: impl FnOnce(&mut Walk) -> R) -> Option<R> {
    WALK.with(|walk| walk.borrow_mut().as_mut().map(f))
}

/// A value read from YAML, and its entry in its document's source map.
struct Streamed {
    value: Node,
    entry: u32,
}

impl<'de> Deserialize<'de> for Streamed {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let entry = with_walk(|walk| match std::mem::replace(&mut walk.next, Next::Document) {
            Next::Document => {
                let mut map = SourceMap::with_root(&(0..0));
                if let Some(reserve) = walk.reserve.take() {
                    map.reserve_for(&reserve);
                }
                walk.maps.push(map);
                ROOT
            }
            Next::Child { parent, segment } => walk
                .maps
                .last_mut()
                .map_or(ROOT, |map| map.add_child(parent, &segment)),
        })
        .unwrap_or(ROOT);
        let value = deserializer.deserialize_any(StreamedVisitor { entry })?;
        Ok(Self { value, entry })
    }
}

/// Reads the value of `entry`.
struct StreamedVisitor {
    entry: u32,
}

impl StreamedVisitor {
    /// The next value read is the child `segment` of this one.
    fn next_child(&self, segment: String) {
        with_walk(|walk| {
            walk.next = Next::Child {
                parent: self.entry,
                segment,
            };
        });
    }
}

/// The shared copy of `text` (a copy of its own when no parse is under way).
fn shared(text: &str) -> Arc<str> {
    with_walk(|walk| walk.strings.get(text)).unwrap_or_else(|| Arc::from(text))
}

/// Records the spans of a child once read.
fn record(child: &serde_saphyr::Spanned<Streamed>, key: Option<&serde_saphyr::Location>) {
    with_walk(|walk| {
        if let Some(map) = walk.maps.last_mut() {
            map.set_value(child.value.entry, &yaml_span(&child.referenced));
            if let Some(key) = key {
                map.set_key(child.value.entry, &yaml_span(key));
            }
        }
    });
}

impl<'de> Visitor<'de> for StreamedVisitor {
    type Value = Node;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a YAML node")
    }
    fn visit_unit<E>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_none<E>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Node, E> {
        Ok(Node::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Node, E> {
        Ok(Node::Number(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Node, E> {
        Ok(Node::Number(v.into()))
    }
    fn visit_i128<E: serde::de::Error>(self, v: i128) -> Result<Node, E> {
        Ok(i64::try_from(v).map_or_else(
            |_| Node::String(shared(&v.to_string())),
            |v| Node::Number(v.into()),
        ))
    }
    fn visit_u128<E: serde::de::Error>(self, v: u128) -> Result<Node, E> {
        Ok(u64::try_from(v).map_or_else(
            |_| Node::String(shared(&v.to_string())),
            |v| Node::Number(v.into()),
        ))
    }
    // NaN and infinities have no JSON form; keep the text so the schema can complain.
    fn visit_f64<E>(self, v: f64) -> Result<Node, E> {
        Ok(
            serde_json::Number::from_f64(v)
                .map_or_else(|| Node::String(shared(&v.to_string())), Node::Number),
        )
    }
    fn visit_str<E>(self, v: &str) -> Result<Node, E> {
        Ok(Node::String(shared(v)))
    }
    fn visit_bytes<E>(self, v: &[u8]) -> Result<Node, E> {
        Ok(Node::String(shared(&String::from_utf8_lossy(v))))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        loop {
            self.next_child(items.len().to_string());
            let Some(item) = seq.next_element::<serde_saphyr::Spanned<Streamed>>()? else {
                break;
            };
            record(&item, None);
            items.push(item.value.value);
        }
        // The child announced last was never read: the sequence ended. Left standing, it would
        // take the next document's root for a child of this one.
        with_walk(|walk| walk.next = Next::Document);
        // Without the slack of each doubling: the tree is the largest thing alive while a plan
        // is read.
        Ok(Node::Array(items.into_boxed_slice()))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        // Duplicate keys are refused by the parser: the entries are the mapping.
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<serde_saphyr::Spanned<String>>()? {
            self.next_child(key.value.clone());
            let value = map.next_value::<serde_saphyr::Spanned<Streamed>>()?;
            record(&value, Some(&key.referenced));
            entries.push((shared(&key.value), value.value.value));
        }
        Ok(Node::Object(entries.into_boxed_slice()))
    }
}

fn yaml_span(location: &serde_saphyr::Location) -> Range<usize> {
    let span = location.span();
    match (span.byte_offset(), span.byte_len()) {
        (Some(offset), Some(len)) => offset as usize..(offset + len) as usize,
        _ => 0..0,
    }
}

/// Reads the YAML documents of `text` with `read` (one document or several), each with its
/// source map; spans are into the whole text.
fn read_yaml<T>(
    text: &str,
    reserve: Option<Reserve>,
    read: impl FnOnce(&str) -> Result<T, serde_saphyr::Error>,
) -> Result<(T, Vec<SourceMap>), serde_saphyr::Error> {
    /// Clears the walk however the parse ends.
    struct Installed;
    impl Drop for Installed {
        fn drop(&mut self) {
            WALK.with(|walk| walk.borrow_mut().take());
        }
    }
    WALK.with(|walk| {
        *walk.borrow_mut() = Some(Walk {
            maps: Vec::new(),
            next: Next::Document,
            reserve,
            strings: Strings::default(),
        });
    });
    let installed = Installed;
    let read = read(text)?;
    let maps = with_walk(|walk| std::mem::take(&mut walk.maps)).unwrap_or_default();
    drop(installed);
    Ok((read, maps))
}

/// A document's value and map, the root's span recorded.
fn yaml_document(root: serde_saphyr::Spanned<Streamed>, map: Option<SourceMap>) -> (Node, SourceMap) {
    let mut map = map.unwrap_or_else(|| SourceMap::with_root(&(0..0)));
    map.set_value(ROOT, &yaml_span(&root.referenced));
    map.finish();
    (root.value.value, map)
}

/// Parser options for a text of `len` bytes.
fn yaml_options(len: usize) -> serde_saphyr::Options {
    let mut budget = serde_saphyr::Budget::default();
    budget.max_depth = MAX_DEPTH;
    budget.flow_nesting_limit = MAX_DEPTH;
    budget.max_events = yaml_budget(YAML_EVENTS_PER_16_MIB);
    budget.max_nodes = max_yaml_nodes();
    let mut options = serde_saphyr::Options::default();
    options.budget = Some(budget);
    // Aliases may replay a bounded multiple of the file's own size: an alias bomb is a few hundred
    // bytes that expand without end, and would otherwise be stopped only by the node budget, after
    // seconds of work; a plan that reuses anchored blocks stays far below sixteen events a byte.
    options.alias_limits.max_total_replayed_events = len
        .saturating_mul(ALIAS_REPLAY_EVENTS_PER_BYTE)
        .max(MIN_ALIAS_REPLAY_EVENTS)
        .min(max_yaml_nodes());
    options.duplicate_keys = serde_saphyr::DuplicateKeyPolicy::Error;
    // YAML 1.2: only true/false are booleans; `yes`, `on`, `y` stay strings (as in every editor's
    // YAML 1.2 schema), so `name: yes` is the name "yes".
    options.strict_booleans = true;
    options
}

/// Stack for the parser thread. The YAML deserializer recurses once per nesting level, with large
/// frames in debug builds; the depth budget bounds the recursion, this makes the bound safe on any
/// caller's thread (test threads have 2 MiB).
const PARSER_STACK_BYTES: usize = 256 * 1024 * 1024;

/// The stack a thread must have to run the parser itself. Parsing a document nested to
/// [`MAX_DEPTH`] takes under 384 KiB of stack in a release build and under 3 MiB in a debug build
/// (measured, block and flow nesting); 8 MiB is the usual main-thread stack.
pub const PARSE_IN_PLACE_STACK_BYTES: u64 = 8 * 1024 * 1024;

thread_local! {
    /// Whether this thread declared a stack of at least [`PARSE_IN_PLACE_STACK_BYTES`].
    static PARSE_IN_PLACE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Declares the calling thread's stack size (`aksplan`'s main thread: its stack limit). With
/// [`PARSE_IN_PLACE_STACK_BYTES`] or more, this thread parses YAML itself instead of on a parser
/// thread of its own. That matters for memory, not time: glibc gives each thread its own
/// allocation arena, and a plan parsed on another thread left its freed parse tree in pages the
/// rest of the run could not reuse (39 MiB of a 248 MiB peak at 1,000 clusters × 8 pools,
/// docs/performance.md).
pub fn declare_stack(bytes: u64) {
    PARSE_IN_PLACE.with(|here| here.set(bytes >= PARSE_IN_PLACE_STACK_BYTES));
}

/// Runs `parse` (the YAML parser) on a stack that holds it at the depth limit: this thread's
/// when it declared one large enough, else a parser thread's.
fn on_parser_stack<T: Send>(
    source: &Arc<Source>,
    parse: impl FnOnce() -> Result<T, Finding> + Send,
) -> Result<T, Finding> {
    if PARSE_IN_PLACE.with(std::cell::Cell::get) {
        return parse();
    }
    std::thread::scope(|scope| {
        match std::thread::Builder::new()
            .name("aksplan-parse".into())
            .stack_size(PARSER_STACK_BYTES)
            .spawn_scoped(scope, parse)
        {
            Ok(handle) => handle.join().unwrap_or_else(|_| {
                Err(Finding::new(codes::LIMIT, "the parser gave up on this input")
                    .at(Label::new(source, 0..0)))
            }),
            // Parsing here instead could overflow an unknown stack, which aborts the process.
            Err(err) => Err(Finding::new(
                codes::LIMIT,
                format!("cannot start a thread to parse this input: {err}"),
            )
            .at(Label::new(source, 0..0))),
        }
    })
}

fn parse_yaml(source: &Arc<Source>) -> Result<(Node, SourceMap), Finding> {
    on_parser_stack(source, || {
        let text = &source.text;
        let (root, mut maps) = read_yaml(text, Some(Reserve::for_text(text)), |text| {
            serde_saphyr::from_str_with_options::<serde_saphyr::Spanned<Streamed>>(
                text,
                yaml_options(text.len()),
            )
        })
        .map_err(|err| yaml_error(source, &err))?;
        Ok(yaml_document(root, maps.pop()))
    })
}

/// Parses a YAML stream of several documents (Kubernetes manifests), each with its own value and
/// source map; spans are into the whole file. Empty documents are skipped.
pub fn parse_yaml_documents(name: &str, bytes: impl Into<Vec<u8>>) -> Result<Vec<Document>, Finding> {
    let source = decode(name, bytes)?;
    on_parser_stack(&source, || {
        let (roots, maps): (Vec<serde_saphyr::Spanned<Streamed>>, _) =
            read_yaml(&source.text, None, |text| {
                serde_saphyr::from_str_multiple_with_options::<serde_saphyr::Spanned<Streamed>, _>(
                    text,
                    yaml_options(text.len()),
                )
            })
            .map_err(|err| yaml_error(&source, &err))?;
        // A map was begun for each document read, in order.
        let mut maps = maps.into_iter();
        Ok(roots
            .into_iter()
            .map(|root| yaml_document(root, maps.next()))
            .filter(|(tree, _)| !tree.is_null())
            .map(|(tree, map)| Document {
                source: Arc::clone(&source),
                format: Format::Yaml,
                value: tree.into_value(),
                map,
            })
            .collect())
    })
}

/// Turns a serde-saphyr error into a finding at its location, with the plain message (the
/// library's own rendering includes a snippet; ours is drawn by the report crate).
fn yaml_error(source: &Arc<Source>, err: &serde_saphyr::Error) -> Finding {
    let inner = err.without_snippet();
    let rendered = inner.to_string();
    let message = rendered.lines().next().unwrap_or("invalid YAML").trim();
    let message = strip_location_suffix(message);
    // serde-saphyr addresses its own API user in some messages ("set DuplicateKeyPolicy ...",
    // "use from_str_multiple ..."); that advice is not for our users.
    let message = message.split(", set ").next().unwrap_or(message);
    let message = message.split("; use ").next().unwrap_or(message);
    let lower = rendered.to_ascii_lowercase();
    let budget = matches!(inner, serde_saphyr::Error::Budget { .. }) || lower.contains("budget");
    let too_deep = budget && rendered.contains("Depth")
        || lower.contains("recursion limit")
        || lower.contains("nesting");
    let (code, message, help) = if too_deep {
        (
            codes::LIMIT,
            format!("the document nests deeper than {MAX_DEPTH} levels"),
            Some(depth_help()),
        )
    } else if lower.contains("alias replay")
        || (budget
            && (rendered.contains("Alias")
                || rendered.contains("Anchor")
                || (rendered.contains("Nodes") && source.text.contains('&'))))
    {
        (
            codes::LIMIT,
            "the YAML aliases expand past the parser's budget".to_owned(),
            Some("this looks like an alias bomb (\"billion laughs\"); write the values out instead of nesting aliases".to_owned()),
        )
    } else if budget && rendered.contains("Nodes") {
        (
            codes::LIMIT,
            format!("the document has more than {} values", max_yaml_nodes()),
            Some(budget_help()),
        )
    } else if budget {
        (
            codes::LIMIT,
            format!(
                "the document exceeds the parser budget ({})",
                message.trim_start_matches("budget breached: ")
            ),
            Some(budget_help()),
        )
    } else if lower.contains("non-finite float") {
        // serde-saphyr: "non-finite float `.nan` rejected by the configured policy".
        let text = message.split('`').nth(1).unwrap_or("the value");
        (
            codes::INVALID_VALUE,
            format!("`{text}` is not a finite number"),
            Some(non_finite_help()),
        )
    } else if lower.contains("duplicate") {
        (
            codes::DUPLICATE_KEY,
            message.to_owned(),
            Some("remove one of the two entries".to_owned()),
        )
    } else if lower.contains("tab") {
        (
            codes::SYNTAX,
            message.to_owned(),
            Some("indent with spaces; YAML does not allow tabs for indentation".to_owned()),
        )
    } else if matches!(inner, serde_saphyr::Error::MultipleDocuments { .. }) {
        (
            codes::SYNTAX,
            "the file holds more than one YAML document".to_owned(),
            Some("a plan file holds one YAML document; remove the `---` separator".to_owned()),
        )
    } else if lower.contains("quoted scalar") {
        (
            codes::SYNTAX,
            message.to_owned(),
            Some("a quoted string above this line may be missing its closing quote".to_owned()),
        )
    } else {
        (codes::SYNTAX, message.to_owned(), None)
    };
    let message = message.as_str();
    let span = err.location().map_or(0..0, |loc| {
        let range = yaml_span(&loc);
        if range.end > range.start || range.start > 0 {
            range
        } else if loc.line() > 0 {
            let offset = source.offset_of(loc.line() as usize, loc.column() as usize);
            offset..offset
        } else {
            0..0
        }
    });
    Finding::new(code, capitalise_first(message))
        .at(Label::new(source, span))
        .help_opt(help)
}

/// The parser budgets grow with the input limit (`yaml_budget`), so the fix is the same flag.
fn budget_help() -> String {
    format!(
        "the parser's budgets grow with the input limit: split the plan, or {}",
        crate::files::limit_help(crate::files::max_input_bytes().saturating_mul(2))
            .trim_start_matches("the limit guards against runaway inputs; ")
    )
}

fn non_finite_help() -> String {
    "NaN, infinities and numbers too large for a double (such as 1e400) mean nothing in a plan; write a finite number".to_owned()
}

fn strip_location_suffix(message: &str) -> &str {
    // "... at line 3, column 5" duplicates what the rendered label shows.
    match message.find(" at line ") {
        Some(idx) => &message[..idx],
        None => message,
    }
}

fn capitalise_first(message: &str) -> String {
    // Messages are shown after "error:", so keep them lower-case and without a trailing period.
    let trimmed = message.trim_end_matches('.');
    let mut chars = trimmed.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn parse_json(source: &Arc<Source>) -> Result<(Node, SourceMap), Finding> {
    // serde_json is the authority on what is JSON (YAML would accept more); its error has a line
    // and column. The span map then comes from the YAML parser, which reads JSON (a subset of YAML
    // 1.2) with spans and also rejects duplicate keys that serde_json would silently merge.
    // Into `Value`, not `IgnoredAny`: only that path reports trailing commas as such, and it
    // applies serde_json's recursion limit.
    if let Err(err) = serde_json::from_str::<Value>(&source.text) {
        let offset = source.offset_of(err.line(), err.column());
        let message = err.to_string();
        let message = strip_location_suffix(&message);
        let (code, message, help) = if message.contains("recursion limit") {
            (
                codes::LIMIT,
                format!("the document nests deeper than {MAX_DEPTH} levels"),
                Some(depth_help()),
            )
        } else if message.contains("trailing comma") {
            (
                codes::SYNTAX,
                message.to_owned(),
                Some("JSON allows no comma after the last item; remove it".to_owned()),
            )
        } else if message.contains("number out of range") {
            // Valid JSON grammar (`1e400`), but no double holds it: a value problem, on the number.
            let number = number_before(&source.text, offset);
            let text = source.text.get(number.clone()).unwrap_or("the number");
            return Err(
                Finding::new(codes::INVALID_VALUE, format!("`{text}` is not a finite number"))
                    .at(Label::new(source, number))
                    .help(non_finite_help()),
            );
        } else {
            (
                codes::SYNTAX,
                message.to_owned(),
                json_syntax_help(&source.text, offset),
            )
        };
        return Err(Finding::new(code, capitalise_first(&message))
            .at(Label::new(source, offset..offset))
            .help_opt(help));
    }
    parse_yaml(source)
}

/// The span of the number around `offset` (serde_json reports the position of its last digit).
fn number_before(text: &str, offset: usize) -> Range<usize> {
    let bytes = text.as_bytes();
    let part = |i: usize| {
        bytes
            .get(i)
            .is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'+' | b'-'))
    };
    let mut start = offset.min(bytes.len());
    while start > 0 && part(start - 1) {
        start -= 1;
    }
    let mut end = start;
    while part(end) {
        end += 1;
    }
    start..end
}

/// Hints for the JSON syntax errors with a likely cause: what `az` prints besides its output, and
/// the non-numbers JavaScript writes.
fn json_syntax_help(text: &str, offset: usize) -> Option<String> {
    let start = text.trim_start();
    if start.starts_with("WARNING:") {
        return Some("the file starts with a warning printed by `az`, not JSON; save only the command's standard output (`az ... -o json > FILE`, without `2>&1`)".to_owned());
    }
    if start.starts_with("ERROR:") {
        return Some("the file holds the error `az` printed, not its output; run the command again and save it when it succeeds".to_owned());
    }
    let rest = text.get(offset.saturating_sub(1)..).unwrap_or_default();
    let rest = rest.trim_start_matches([':', ' ', ',', '[']);
    if ["NaN", "Infinity", "-Infinity"]
        .iter()
        .any(|word| rest.starts_with(word))
    {
        return Some("JSON has no NaN or Infinity; write a finite number".to_owned());
    }
    None
}

fn parse_toml(source: &Arc<Source>) -> Result<(Value, SourceMap), Finding> {
    let table = toml::de::DeTable::parse(&source.text).map_err(|err| {
        let message = err.message().trim();
        let deep = message.contains("recursion depth") || message.contains("recursion limit");
        // The toml parser gives no span for some of its recursion errors (a dotted key or a table
        // header of a thousand parts): point at the first line that nests that deep.
        let span = err
            .span()
            .or_else(|| deep.then(|| deepest_line(&source.text)).flatten())
            .unwrap_or(0..0);
        if deep {
            return depth_error(source, span);
        }
        if message.contains("duplicate key") {
            let key = source.text.get(span.clone()).unwrap_or("").trim().to_owned();
            let message = if key.is_empty() {
                "duplicate key".to_owned()
            } else {
                format!("duplicate key `{key}`")
            };
            return Finding::new(codes::DUPLICATE_KEY, message)
                .at(Label::new(source, span))
                .help("remove one of the two entries (a `[table]` header may also appear only once)");
        }
        Finding::new(codes::SYNTAX, capitalise_first(message)).at(Label::new(source, span))
    })?;
    let mut map = SourceMap::with_root(&(0..source.text.len()));
    let value = walk_toml_table(source, table.get_ref(), ROOT, 1, &mut map)?;
    map.finish();
    Ok((value, map))
}

/// The first line with more than `MAX_DEPTH` nesting characters (`.`, `[`, `{`), trimmed.
fn deepest_line(text: &str) -> Option<Range<usize>> {
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        let nesting = line.chars().filter(|c| matches!(c, '.' | '[' | '{')).count();
        if nesting > MAX_DEPTH {
            let trimmed = line.trim_end();
            return Some(start..start + trimmed.len());
        }
        start += line.len();
    }
    None
}

fn depth_help() -> String {
    format!("plans may nest at most {MAX_DEPTH} levels (a plan needs about ten); remove the deep nesting")
}

fn depth_error(source: &Arc<Source>, span: Range<usize>) -> Finding {
    Finding::new(
        codes::LIMIT,
        format!("the document nests deeper than {MAX_DEPTH} levels"),
    )
    .at(Label::new(source, span))
    .help(depth_help())
}

fn walk_toml_table(
    source: &Arc<Source>,
    table: &toml::de::DeTable<'_>,
    entry: u32,
    depth: usize,
    map: &mut SourceMap,
) -> Result<Value, Finding> {
    let mut object = serde_json::Map::new();
    for (key, value) in table {
        let child = map.add_child(entry, key.get_ref());
        map.set_key(child, &key.span());
        let converted = walk_toml_value(source, value, child, depth + 1, map)?;
        object.insert(key.get_ref().to_string(), converted);
    }
    Ok(Value::Object(object))
}

fn walk_toml_value(
    source: &Arc<Source>,
    value: &toml::Spanned<toml::de::DeValue<'_>>,
    entry: u32,
    depth: usize,
    map: &mut SourceMap,
) -> Result<Value, Finding> {
    use toml::de::DeValue;
    let span = value.span();
    if depth > MAX_DEPTH {
        return Err(depth_error(source, span));
    }
    map.set_value(entry, &span);
    Ok(match value.get_ref() {
        DeValue::String(s) => Value::from(s.as_ref()),
        DeValue::Integer(int) => {
            let digits: String = int.as_str().chars().filter(|c| *c != '_').collect();
            let (negative, digits) = match digits.strip_prefix('-') {
                Some(rest) => (true, rest.to_owned()),
                None => (false, digits.strip_prefix('+').unwrap_or(&digits).to_owned()),
            };
            let digits = digits
                .trim_start_matches("0x")
                .trim_start_matches("0o")
                .trim_start_matches("0b");
            match i64::from_str_radix(digits, int.radix()) {
                Ok(n) => Value::from(if negative { -n } else { n }),
                Err(_) => {
                    return Err(Finding::new(
                        codes::INVALID_VALUE,
                        format!("integer `{}` is out of range", int.as_str()),
                    )
                    .at(Label::new(source, span)));
                }
            }
        }
        DeValue::Float(float) => {
            let text: String = float.as_str().chars().filter(|c| *c != '_').collect();
            // `nan`, `inf` and `1e400` are TOML floats without a JSON form; YAML and JSON reject
            // them the same way.
            match text.parse::<f64>().ok().and_then(serde_json::Number::from_f64) {
                Some(number) => Value::Number(number),
                None => {
                    return Err(Finding::new(
                        codes::INVALID_VALUE,
                        format!("`{}` is not a finite number", float.as_str()),
                    )
                    .at(Label::new(source, span))
                    .help(non_finite_help()));
                }
            }
        }
        DeValue::Boolean(b) => Value::Bool(*b),
        // TOML has native dates; the plan language carries them as strings, as YAML and JSON do.
        DeValue::Datetime(datetime) => Value::from(datetime.to_string()),
        DeValue::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for (idx, item) in items.iter().enumerate() {
                let child = map.add_child(entry, &idx.to_string());
                out.push(walk_toml_value(source, item, child, depth + 1, map)?);
            }
            Value::Array(out)
        }
        DeValue::Table(table) => walk_toml_table(source, table, entry, depth, map)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str, format: Format) -> Result<Document, Finding> {
        parse_document("t", text.as_bytes(), format)
    }

    fn line_col_of(doc: &Document, pointer: &str) -> (usize, usize) {
        doc.source.line_col(doc.map.value_span(pointer).start)
    }

    /// A file's bytes become its text in place: the plan's bytes were a second copy of the file
    /// for the whole run. With a byte-order mark the text is the rest, spans and all.
    #[test]
    fn the_bytes_become_the_text_without_a_copy() {
        let bytes = b"a: 1\nb: [x, y]\n".to_vec();
        let at = bytes.as_ptr();
        let source = decode("t", bytes).unwrap();
        assert_eq!(
            source.text.as_ptr(),
            at,
            "the text is the same buffer as the bytes"
        );
        assert_eq!(source.text, "a: 1\nb: [x, y]\n");
        let doc = parse_document("t", b"\xef\xbb\xbfa: 1\nb: [x, y]\n".to_vec(), Format::Yaml).unwrap();
        assert_eq!(doc.source.text, "a: 1\nb: [x, y]\n");
        assert_eq!(line_col_of(&doc, "/b/1"), (2, 8));
        // Borrowed bytes still read (copied once, as before).
        assert!(decode("t", &b"a: 1\n"[..]).is_ok());
    }

    /// The `serde_json` value a YAML document becomes (from its compact tree) holds no growth
    /// slack in its sequences, and keeps the file's key order.
    #[test]
    fn yaml_sequences_hold_no_slack() {
        let doc = parse("a: [1, 2, 3, 4, 5]\nb:\n  - x\n  - y\n  - z\n", Format::Yaml).unwrap();
        for key in ["a", "b"] {
            let items = doc.value[key].as_array().unwrap();
            assert_eq!(items.capacity(), items.len(), "{key}");
        }
        // Mappings made at their size keep the file's key order.
        let doc = parse("m:\n  z: 1\n  a: 2\n  k: 3\n", Format::Yaml).unwrap();
        let keys: Vec<&String> = doc.value["m"].as_object().unwrap().keys().collect();
        assert_eq!(keys, ["z", "a", "k"]);
    }

    /// A plan is read into the compact tree, which is the value every other document gets, in
    /// every format; its keys and strings are shared (one copy per distinct text).
    #[test]
    fn the_plan_tree_is_the_document_value_with_texts_shared() {
        let yaml =
            "a: &x {os: Linux, n: 1}\nb: [{os: Linux, n: 18446744073709551616}, *x, 2.5, ~, yes]\nz: true\n";
        let json = r#"{"z": [1, -2, 3.5, null, {"os": "Linux"}], "a": {"os": "Linux"}}"#;
        let toml = "z = 1\n[a]\nos = \"Linux\"\n[b]\nos = \"Linux\"\n";
        for (text, format) in [(yaml, Format::Yaml), (json, Format::Json), (toml, Format::Toml)] {
            let doc = parse(text, format).unwrap();
            let (plan_doc, tree) = parse_plan_document("t", text.as_bytes(), format).unwrap();
            assert!(plan_doc.value.is_null(), "{format:?}: the value is the tree");
            assert_eq!(
                plan_doc.map.value_span("/a"),
                doc.map.value_span("/a"),
                "{format:?}"
            );
            let value = tree.clone().into_value();
            assert_eq!(value, doc.value, "{format:?}");
            assert_eq!(value.to_string(), doc.value.to_string(), "{format:?}: key order");
            let os: Vec<&Arc<str>> = [tree.get("a"), tree.get("b").or_else(|| tree.get("z"))]
                .into_iter()
                .flatten()
                .flat_map(|n| match n {
                    Node::Array(items) => items.iter().collect::<Vec<_>>(),
                    other => vec![other],
                })
                .filter_map(|n| n.as_object())
                .flat_map(|entries| entries.iter().filter(|(k, _)| &**k == "os"))
                .map(|(k, _)| k)
                .collect();
            assert!(os.len() >= 2, "{format:?}: {os:?}");
            assert!(
                os.windows(2).all(|w| Arc::ptr_eq(w[0], w[1])),
                "{format:?}: one key `os`"
            );
        }
    }

    /// Each distinct segment is kept once, however many entries have it; every pointer still
    /// finds its own entry.
    #[test]
    fn repeated_segments_are_kept_once() {
        let text = "a: {name: 1, k: 2}\nb: {name: 3}\nc: [x, y]\nd: [z, {name: 4}]\n";
        let doc = parse(text, Format::Yaml).unwrap();
        assert_eq!(
            doc.map.segments.text.matches("name").count(),
            1,
            "{}",
            doc.map.segments.text
        );
        assert_eq!(
            doc.map.segments.text.matches('0').count(),
            1,
            "{}",
            doc.map.segments.text
        );
        assert!(
            doc.map.distinct.is_empty(),
            "the lookup table goes when the map is complete"
        );
        for (pointer, text_at) in [
            ("/a/name", "1"),
            ("/b/name", "3"),
            ("/c/0", "x"),
            ("/d/0", "z"),
            ("/d/1/name", "4"),
        ] {
            assert_eq!(doc.raw_text(pointer), Some(text_at), "{pointer}");
        }
        assert_eq!(&text[doc.map.key_span("/b/name")], "name");
        // An entry names its segment by number: 24 bytes (a range made it 28, for 155,000
        // entries at 1,000 clusters).
        assert_eq!(std::mem::size_of::<MapEntry>(), 24);
    }

    /// One index answers for every entry of a document, aliases included: each entry runs to
    /// the next value outside it.
    #[test]
    fn one_extents_index_answers_for_every_entry() {
        let text = "base: &b\n  x: 1\n  y: [2, 3]\nlist:\n  - *b\n  - {z: 4}\n  - w\nlast: 5\n";
        let doc = parse(text, Format::Yaml).unwrap();
        let extents = doc.extents();
        let at = |pointer: &str| &text[extents.extent(pointer)];
        for (pointer, expected) in [
            ("/base/y", "[2, 3]\n"),
            ("/list/1", "{z: 4}\n  - "),
            ("/list/2", "w\n"),
            ("/last", "5\n"),
        ] {
            assert_eq!(at(pointer), expected, "{pointer}");
        }
        assert!(
            at("/list").starts_with("- *b") && at("/list").ends_with("w\n"),
            "{:?}",
            at("/list")
        );
    }

    /// Keys that need escaping in a pointer, array items, and pointers past what the document
    /// holds: each found as the pointer strings of before the map was a tree of segments.
    #[test]
    fn pointers_resolve_segment_by_segment() {
        let text = "a/b:\n  - x: 1\n  - 'y~z': [2, 3]\nc: {d: 4}\n";
        let doc = parse(text, Format::Yaml).unwrap();
        let at = |span: Range<usize>| &text[span];
        assert_eq!(at(doc.map.value_span("/a~1b/1/y~0z/1")), "3");
        assert_eq!(at(doc.map.key_span("/a~1b/1/y~0z")), "'y~z'");
        assert_eq!(at(doc.map.key_span("/a~1b")), "a/b");
        assert_eq!(at(doc.map.value_span("/c/d")), "4");
        assert!(doc.map.has_value("/a~1b/0/x"));
        // Unescaped, the key is not found: its nearest ancestor is the root.
        assert!(!doc.map.has_value("/a/b"));
        assert_eq!(doc.map.value_span("/a/b").start, 0);
        // Not a pointer: nothing, not even the root.
        assert!(!doc.map.has_value("c"));
        assert_eq!(doc.map.value_span("c/d"), 0..0);
        // Past the document: the deepest pointer that exists.
        assert!(!doc.map.has_value("/c/d/e/f"));
        assert_eq!(at(doc.map.value_span("/c/d/e/f")), "4");
        assert_eq!(at(doc.map.value_span("/a~1b/7")), at(doc.map.value_span("/a~1b")));
        // An entry's extent runs to the next entry outside it.
        let extents = doc.extents();
        assert_eq!(at(extents.extent("/a~1b/1")), "'y~z': [2, 3]\n");
        assert_eq!(at(extents.extent("/c")), "{d: 4}\n");
        // TOML builds the same tree.
        let toml = parse("[\"a/b\"]\nx = [1, 2]\n", Format::Toml).unwrap();
        assert!(toml.map.has_value("/a~1b/x/1"));
        assert!(!toml.map.has_value("/a~1b/x/2"));
    }

    /// Each document of a stream has its own map, whatever the document before it ended with
    /// (a sequence ends with a child announced and never read); a parse that fails leaves
    /// nothing behind for the next one on the thread.
    #[test]
    fn every_document_of_a_stream_has_its_own_spans() {
        let text = "a: [1, [2]]\n---\n---\nb: x\nc:\n  - y\n---\n- [z]\n";
        let docs = parse_yaml_documents("t", text.as_bytes()).unwrap();
        assert_eq!(docs.len(), 3, "the empty document is skipped");
        let at = |doc: &Document, pointer: &str| &text[doc.map.value_span(pointer)];
        assert_eq!(at(&docs[0], "/a/1/0"), "2");
        assert_eq!(at(&docs[1], "/b"), "x");
        assert_eq!(at(&docs[1], "/c/0"), "y");
        assert_eq!(&text[docs[1].map.key_span("/c")], "c");
        assert!(!docs[1].map.has_value("/a"), "nothing of the first document");
        assert_eq!(at(&docs[2], "/0/0"), "z");
        assert!(parse_yaml_documents("t", b"a: [1\n---\nb: 2\n").is_err());
        let again = parse("x: [1]\ny: 2\n", Format::Yaml).unwrap();
        assert_eq!(&"x: [1]\ny: 2\n"[again.map.value_span("/y")], "2");
        assert!(!again.map.has_value("/b"));
    }

    #[test]
    fn yaml_values_and_keys_have_spans() {
        let doc = parse("a:\n  b: [1, \"x\"]\n  c: é\n  d: ok\n", Format::Yaml).unwrap();
        assert_eq!(doc.value["a"]["b"][1], "x");
        assert_eq!(line_col_of(&doc, "/a/b/1"), (2, 10));
        assert_eq!(doc.raw_text("/a/b/1"), Some("\"x\""));
        assert_eq!(line_col_of(&doc, "/a/d"), (4, 6));
        assert_eq!(doc.source.line_col(doc.map.key_span("/a/d").start), (4, 3));
        // A pointer below a leaf falls back to the leaf.
        assert_eq!(line_col_of(&doc, "/a/d/nope"), (4, 6));
    }

    /// A document nested `depth` mappings deep, in block or flow style.
    fn nested(depth: usize, flow: bool) -> String {
        if flow {
            format!("{}1{}\n", "{a: ".repeat(depth), "}".repeat(depth))
        } else {
            let mut text = String::new();
            for level in 0..depth {
                text.push_str(&"  ".repeat(level));
                text.push_str("a:\n");
            }
            text + &"  ".repeat(depth) + "b: 1\n"
        }
    }

    /// Parses the deepest documents on a thread of `stack` bytes that declared `declared`.
    fn parse_deepest_on(stack: usize, declared: u64) -> Vec<Result<(), String>> {
        std::thread::Builder::new()
            .stack_size(stack)
            .spawn(move || {
                declare_stack(declared);
                let mut outcomes = Vec::new();
                for flow in [false, true] {
                    for depth in [MAX_DEPTH - 1, MAX_DEPTH, 10 * MAX_DEPTH] {
                        let text = nested(depth, flow);
                        outcomes.push(parse(&text, Format::Yaml).map(drop).map_err(|f| f.message));
                    }
                }
                outcomes
            })
            .unwrap()
            .join()
            .unwrap()
    }

    /// A thread that declares the in-place stack parses the deepest plans itself: run by the
    /// tests, a debug build, whose frames are the largest (a release build needs an eighth).
    /// Without room the process would abort on a stack overflow, not fail this test.
    #[test]
    fn the_in_place_stack_holds_the_parser_at_the_depth_limit() {
        let stack = usize::try_from(PARSE_IN_PLACE_STACK_BYTES).unwrap();
        let outcomes = parse_deepest_on(stack, PARSE_IN_PLACE_STACK_BYTES);
        let too_deep = Err(format!("the document nests deeper than {MAX_DEPTH} levels"));
        // Block style: the deepest mapping holds one more level (`b: 1`).
        assert_eq!(outcomes[0], Ok(()));
        assert_eq!(outcomes[1], too_deep);
        assert_eq!(outcomes[2], too_deep);
        assert_eq!(outcomes[3], Ok(()));
        assert_eq!(outcomes[4], Ok(()));
        assert_eq!(outcomes[5], too_deep);
    }

    /// A thread with a small stack (what it declares is what it has) still parses the deepest
    /// plans: on a parser thread of its own, since 512 KiB could not hold a debug build's parser.
    #[test]
    fn a_small_stack_parses_on_a_parser_thread() {
        let outcomes = parse_deepest_on(512 * 1024, 512 * 1024);
        assert_eq!(outcomes.iter().filter(|o| o.is_ok()).count(), 3, "{outcomes:?}");
    }

    #[test]
    fn unquoted_version_is_a_number_but_keeps_its_text() {
        let doc = parse("v: 1.30\n", Format::Yaml).unwrap();
        assert_eq!(doc.value["v"], serde_json::json!(1.3));
        assert_eq!(doc.raw_text("/v"), Some("1.30"));
    }

    #[test]
    fn toml_has_the_same_shape() {
        let doc = parse("[a]\nb = [1, \"x\"]\nwhen = 2026-12-01\n", Format::Toml).unwrap();
        assert_eq!(doc.value["a"]["b"][1], "x");
        assert_eq!(doc.value["a"]["when"], "2026-12-01");
        assert_eq!(line_col_of(&doc, "/a/b/1"), (2, 9));
    }

    #[test]
    fn json_has_spans_and_rejects_duplicates() {
        let doc = parse("{\n  \"a\": {\"b\": 2}\n}", Format::Json).unwrap();
        assert_eq!(line_col_of(&doc, "/a/b"), (2, 14));
        let err = parse("{\"a\": 1, \"a\": 2}", Format::Json).unwrap_err();
        assert_eq!(err.code, codes::DUPLICATE_KEY);
    }

    #[test]
    fn pointer_segments_are_escaped() {
        let doc = parse("\"a/b\": {\"c~d\": 1}\n", Format::Yaml).unwrap();
        assert_eq!(doc.raw_text("/a~1b/c~0d"), Some("1"));
    }

    #[test]
    fn limits_and_encoding() {
        assert_eq!(parse("", Format::Yaml).unwrap_err().code, codes::EMPTY);
        assert_eq!(
            parse("# only a comment\n", Format::Yaml).unwrap_err().code,
            codes::EMPTY
        );
        let deep = format!("{}{}", "[".repeat(500), "]".repeat(500));
        assert_eq!(parse(&deep, Format::Yaml).unwrap_err().code, codes::LIMIT);
        assert_eq!(parse(&deep, Format::Json).unwrap_err().code, codes::LIMIT);
        assert_eq!(
            parse(&format!("a = {deep}"), Format::Toml).unwrap_err().code,
            codes::LIMIT
        );
        let err = parse_document("t", b"a: \xff\n", Format::Yaml).unwrap_err();
        assert_eq!(err.code, codes::ENCODING);
    }

    #[test]
    fn other_encodings_are_named() {
        let utf16: Vec<u8> = [0xff, 0xfe]
            .into_iter()
            .chain("a: 1\n".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        let err = parse_document("t", utf16.as_slice(), Format::Yaml).unwrap_err();
        assert_eq!(err.code, codes::ENCODING);
        assert!(err.message.contains("UTF-16 (little-endian)"), "{}", err.message);
        // Without a byte-order mark, ASCII in UTF-16 is valid UTF-8 full of NUL bytes.
        let err = parse_document("t", &utf16[2..], Format::Json).unwrap_err();
        assert!(
            err.message.contains("without a byte-order mark"),
            "{}",
            err.message
        );
        let doc = parse("\u{feff}a: 1\n", Format::Yaml).unwrap();
        assert_eq!(line_col_of(&doc, "/a"), (1, 4));
    }

    #[test]
    fn non_finite_numbers_are_invalid_values_in_every_format() {
        for (text, format, number) in [
            ("count: .nan\n", Format::Yaml, ".nan"),
            ("count: -.inf\n", Format::Yaml, "-.inf"),
            ("count: 1e400\n", Format::Yaml, "1e400"),
            ("count = nan\n", Format::Toml, "nan"),
            ("count = 1e400\n", Format::Toml, "1e400"),
            ("{\"count\": 1e400}", Format::Json, "1e400"),
        ] {
            let err = parse(text, format).unwrap_err();
            assert_eq!(err.code, codes::INVALID_VALUE, "{text}: {}", err.message);
            let label = err.primary.unwrap();
            assert_eq!(label.source.text.get(label.span), Some(number), "{text}");
        }
        let err = parse("{\"count\": NaN}", Format::Json).unwrap_err();
        assert_eq!(err.code, codes::SYNTAX);
        assert!(err.help.unwrap().contains("no NaN"));
    }

    #[test]
    fn toml_limits_and_empty_files() {
        let dotted = format!("{} = 1\n", vec!["a"; 1000].join("."));
        let err = parse(&format!("x = 1\n{dotted}"), Format::Toml).unwrap_err();
        assert_eq!(err.code, codes::LIMIT);
        let label = err.primary.unwrap();
        assert_eq!(label.source.line_col(label.span.start), (2, 1));
        let err = parse("# only a comment\n", Format::Toml).unwrap_err();
        assert_eq!(err.code, codes::EMPTY);
    }

    #[test]
    fn lone_carriage_returns_end_lines() {
        let doc = parse("a: 1\rb:\r  c: 2\r", Format::Yaml).unwrap();
        assert_eq!(line_col_of(&doc, "/b/c"), (3, 6));
        assert_eq!(doc.source.offset_of(3, 6), doc.map.value_span("/b/c").start);
    }

    #[test]
    fn an_alias_bomb_is_stopped_by_the_replay_budget() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            text.push_str(&format!(
                "a{i}: &a{i} [{}]\n",
                vec![format!("*a{}", i - 1); 9].join(", ")
            ));
        }
        // A billion nodes if expanded: the refusal itself, naming the aliases, is the proof that
        // the replay budget stopped it (the node budget would name nodes, and expanding would
        // not end at all).
        let err = parse(&text, Format::Yaml).unwrap_err();
        assert_eq!(err.code, codes::LIMIT, "{}", err.message);
        assert!(err.message.contains("aliases"), "{}", err.message);
    }
}
