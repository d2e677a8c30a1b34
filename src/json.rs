//! A small JSON reader and string writer: all the JSON this crate needs (request parameters,
//! response envelopes), without serde_json's size in the wasm module (about a fifth of it).
//!
//! Numbers keep their source text, so integers such as `TaskId` are read exactly; objects keep
//! their members in order and, like `JSON.parse`, the last of duplicate keys wins. Nesting is
//! capped so hostile input cannot exhaust the stack.

/// A parsed JSON value.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// A number, as written.
    Number(String),
    /// A string, unescaped.
    String(String),
    /// An array.
    Array(Vec<Value>),
    /// An object's members, in source order.
    Object(Vec<(String, Value)>),
}

/// Why a text is not JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParseError {
    /// The text ends in the middle of a value (a truncated body).
    Eof,
    /// Anything else.
    Syntax,
}

/// Deeper nesting is rejected as a syntax error.
pub const MAX_DEPTH: usize = 128;

impl Value {
    /// The member `key` of an object (the last one, if repeated).
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Object(members) => members.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }
    /// The value as a non-negative integer, if it is written as one.
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Value::Number(n) if n.bytes().all(|b| b.is_ascii_digit()) => crate::text::parse_u64(n),
            _ => None,
        }
    }
    /// The members, if this is an object.
    pub fn as_object(&self) -> Option<&[(String, Value)]> {
        match self {
            Value::Object(m) => Some(m),
            _ => None,
        }
    }
    /// "a string", "an array", …: for error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "an array",
            Value::Object(_) => "an object",
        }
    }
}

/// Parses a whole JSON text (surrounding whitespace allowed).
pub fn parse(text: &str) -> Result<Value, ParseError> {
    let mut p = Parser {
        s: text.as_bytes(),
        i: 0,
    };
    let v = p.value(0)?;
    p.ws();
    if p.i == p.s.len() {
        Ok(v)
    } else {
        Err(ParseError::Syntax)
    }
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while matches!(self.s.get(self.i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    fn peek(&self) -> Result<u8, ParseError> {
        self.s.get(self.i).copied().ok_or(ParseError::Eof)
    }

    fn expect(&mut self, b: u8) -> Result<(), ParseError> {
        match self.peek()? {
            c if c == b => {
                self.i += 1;
                Ok(())
            }
            _ => Err(ParseError::Syntax),
        }
    }

    fn literal(&mut self, word: &[u8], v: Value) -> Result<Value, ParseError> {
        for &b in word {
            self.expect(b)?;
        }
        Ok(v)
    }

    fn value(&mut self, depth: usize) -> Result<Value, ParseError> {
        if depth > MAX_DEPTH {
            return Err(ParseError::Syntax);
        }
        self.ws();
        match self.peek()? {
            b'{' => self.object(depth),
            b'[' => self.array(depth),
            b'"' => self.string().map(Value::String),
            b't' => self.literal(b"true", Value::Bool(true)),
            b'f' => self.literal(b"false", Value::Bool(false)),
            b'n' => self.literal(b"null", Value::Null),
            b'-' | b'0'..=b'9' => self.number(),
            _ => Err(ParseError::Syntax),
        }
    }

    fn object(&mut self, depth: usize) -> Result<Value, ParseError> {
        self.i += 1;
        let mut members = Vec::new();
        self.ws();
        if self.peek()? == b'}' {
            self.i += 1;
            return Ok(Value::Object(members));
        }
        loop {
            self.ws();
            if self.peek()? != b'"' {
                return Err(ParseError::Syntax);
            }
            let key = self.string()?;
            self.ws();
            self.expect(b':')?;
            let v = self.value(depth + 1)?;
            members.push((key, v));
            self.ws();
            match self.peek()? {
                b',' => self.i += 1,
                b'}' => {
                    self.i += 1;
                    return Ok(Value::Object(members));
                }
                _ => return Err(ParseError::Syntax),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Value, ParseError> {
        self.i += 1;
        let mut items = Vec::new();
        self.ws();
        if self.peek()? == b']' {
            self.i += 1;
            return Ok(Value::Array(items));
        }
        loop {
            items.push(self.value(depth + 1)?);
            self.ws();
            match self.peek()? {
                b',' => self.i += 1,
                b']' => {
                    self.i += 1;
                    return Ok(Value::Array(items));
                }
                _ => return Err(ParseError::Syntax),
            }
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.i;
        while matches!(self.s.get(self.i), Some(b'0'..=b'9')) {
            self.i += 1;
        }
        self.i - start
    }

    fn number(&mut self) -> Result<Value, ParseError> {
        let start = self.i;
        if self.peek()? == b'-' {
            self.i += 1;
        }
        match self.peek()? {
            b'0' => self.i += 1,
            b'1'..=b'9' => {
                self.digits();
            }
            _ => return Err(ParseError::Syntax),
        }
        if self.s.get(self.i) == Some(&b'.') {
            self.i += 1;
            if self.digits() == 0 {
                return Err(if self.i == self.s.len() {
                    ParseError::Eof
                } else {
                    ParseError::Syntax
                });
            }
        }
        if matches!(self.s.get(self.i), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.s.get(self.i), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if self.digits() == 0 {
                return Err(if self.i == self.s.len() {
                    ParseError::Eof
                } else {
                    ParseError::Syntax
                });
            }
        }
        // Only ASCII digits and signs were consumed, so this cannot fail. Not
        // `from_utf8_lossy`: its replacement path (Utf8Chunks) was the only user of that code
        // in the module.
        String::from_utf8(self.s[start..self.i].to_vec())
            .map(Value::Number)
            .map_err(|_| ParseError::Syntax)
    }

    fn hex4(&mut self) -> Result<u32, ParseError> {
        let mut n = 0;
        for _ in 0..4 {
            let d = match self.peek()? {
                c @ b'0'..=b'9' => c - b'0',
                c @ b'a'..=b'f' => c - b'a' + 10,
                c @ b'A'..=b'F' => c - b'A' + 10,
                _ => return Err(ParseError::Syntax),
            };
            n = n * 16 + u32::from(d);
            self.i += 1;
        }
        Ok(n)
    }

    fn string(&mut self) -> Result<String, ParseError> {
        self.i += 1; // the opening quote
        let mut out: Vec<u8> = Vec::new();
        loop {
            let start = self.i;
            while matches!(self.s.get(self.i), Some(&c) if c != b'"' && c != b'\\' && c >= 0x20) {
                self.i += 1;
            }
            out.extend_from_slice(&self.s[start..self.i]);
            match self.peek()? {
                b'"' => {
                    self.i += 1;
                    // The input was a &str and escapes add valid UTF-8 only.
                    return String::from_utf8(out).map_err(|_| ParseError::Syntax);
                }
                b'\\' => {
                    self.i += 1;
                    let c = match self.peek()? {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            self.i += 1;
                            let c = self.unicode_escape()?;
                            let mut buf = [0; 4];
                            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                            continue;
                        }
                        _ => return Err(ParseError::Syntax),
                    };
                    self.i += 1;
                    out.push(c as u8);
                }
                _ => return Err(ParseError::Syntax), // a raw control character
            }
        }
    }

    /// After `\u`: a code point, joining surrogate pairs. A lone surrogate becomes U+FFFD —
    /// what `fetch` would send for it, as its UTF-8 encoder replaces it the same way.
    fn unicode_escape(&mut self) -> Result<char, ParseError> {
        let hi = self.hex4()?;
        if (0xD800..0xDC00).contains(&hi) && self.s.get(self.i..self.i + 2) == Some(b"\\u") {
            let save = self.i;
            self.i += 2;
            let lo = self.hex4()?;
            if (0xDC00..0xE000).contains(&lo) {
                return Ok(char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)).unwrap_or('\u{FFFD}'));
            }
            self.i = save;
        }
        Ok(char::from_u32(hi).unwrap_or('\u{FFFD}'))
    }
}

/// Appends `s` as a JSON string literal, escaped exactly as `JSON.stringify` does: `"`, `\`
/// and control characters; everything else (non-ASCII included) is written as is.
pub fn push_string(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.reserve(s.len() + 2);
    out.push('"');
    // Most strings (IDs, names, paths) need no escape: one copy.
    if !s.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\') {
        out.push_str(s);
        out.push('"');
        return;
    }
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        let escape = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0..=0x1f => "",
            _ => continue,
        };
        out.push_str(&s[start..i]);
        if escape.is_empty() {
            out.push_str("\\u00");
            out.push(HEX[usize::from(b >> 4)] as char);
            out.push(HEX[usize::from(b & 0xf)] as char);
        } else {
            out.push_str(escape);
        }
        start = i + 1;
    }
    out.push_str(&s[start..]);
    out.push('"');
}

/// `s` as a JSON string literal: how messages quote a value (instead of `{:?}`, whose
/// escaping pulls Unicode tables into the wasm module).
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    push_string(&mut out, s);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_what_serde_json_parses() {
        for text in [
            r#"{"a":[1,-2.5e3,true,false,null,"x"],"b":{}}"#,
            r#" [ ] "#,
            r#""\u00e9\ud83d\ude00\n\"\\\/""#,
            "0",
            "-0.0E+1",
            r#"{"TaskId":105591590,"CosPaths":["/a.raw"],"RequestId":"r"}"#,
        ] {
            let ours = parse(text).unwrap();
            let theirs: serde_json::Value = serde_json::from_str(text).unwrap();
            assert_eq!(to_serde(&ours), theirs, "{text}");
        }
    }

    fn to_serde(v: &Value) -> serde_json::Value {
        match v {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => (*b).into(),
            Value::Number(n) => serde_json::from_str(n).unwrap(),
            Value::String(s) => s.clone().into(),
            Value::Array(a) => a.iter().map(to_serde).collect(),
            Value::Object(m) => m
                .iter()
                .map(|(k, v)| (k.clone(), to_serde(v)))
                .collect::<serde_json::Map<_, _>>()
                .into(),
        }
    }

    #[test]
    fn rejects_what_is_not_json_and_tells_truncation_apart() {
        for bad in ["", "{", r#"{"a":"#, r#"{"a":1"#, "[1,", r#""abc"#, "tru", "-", "1."] {
            assert_eq!(parse(bad), Err(ParseError::Eof), "{bad:?}");
        }
        for bad in [
            "x",
            "{a:1}",
            "[1,]",
            "01",
            "1 2",
            "\"\u{1}\"",
            "{\"a\" 1}",
            "<html>",
            "[1}",
            r#""\x""#,
        ] {
            assert_eq!(parse(bad), Err(ParseError::Syntax), "{bad:?}");
        }
        let deep = "[".repeat(MAX_DEPTH + 2);
        assert_eq!(parse(&deep), Err(ParseError::Syntax));
    }

    #[test]
    fn integers_are_exact_and_last_duplicate_key_wins() {
        let v = parse(r#"{"TaskId":9007199254740993,"k":1,"k":2}"#).unwrap();
        assert_eq!(v.get("TaskId").and_then(Value::as_u64), Some(9_007_199_254_740_993));
        assert_eq!(v.get("k"), Some(&Value::Number("2".into())));
        assert_eq!(parse("1.5").unwrap().as_u64(), None);
        assert_eq!(parse("-1").unwrap().as_u64(), None);
    }

    #[test]
    fn lone_surrogates_become_replacement_characters() {
        assert_eq!(parse(r#""a\ud800b""#).unwrap(), Value::String("a\u{FFFD}b".into()));
    }

    #[test]
    fn strings_are_written_as_json_stringify_writes_them() {
        for s in ["plain", "q\"b\\s/", "\n\r\t\u{8}\u{c}", "\u{1}\u{1f}", "镜像 😀", ""] {
            let mut ours = String::new();
            push_string(&mut ours, s);
            assert_eq!(ours, serde_json::to_string(s).unwrap(), "{s:?}");
            assert_eq!(parse(&ours).unwrap(), Value::String(s.into()));
        }
    }
}
