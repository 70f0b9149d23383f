//! JSON strings written as `serde_json` writes them, only faster on long text. A search index
//! holds one document file per release, with its text for snippets, every release page has
//! its JSON-LD, and `serde_json` looks at every byte in turn. Here eight bytes are checked at
//! once and copied whole when none of them needs escaping, which is nearly always.

use crate::eight_bytes;

/// Append `text` to `out` as a JSON string, quotes included, byte for byte what `serde_json`
/// writes: `"` and `\` escaped, control characters as `\n`, `\t`... or `\u00XX`, everything
/// else (DEL and all of Unicode) as it is.
pub fn push_str(out: &mut Vec<u8>, text: &str) {
    out.reserve(text.len() + 2);
    out.push(b'"');
    let bytes = text.as_bytes();
    let mut plain_from = 0;
    let mut i = 0;
    while i < bytes.len() {
        if let Some(word) = eight_bytes::word_at(bytes, i)
            && !needs_escape(word)
        {
            i += 8;
            continue;
        }
        let b = bytes[i];
        if let Some(escape) = escape(b) {
            out.extend_from_slice(&bytes[plain_from..i]);
            push_escape(out, b, escape);
            plain_from = i + 1;
        }
        i += 1;
    }
    out.extend_from_slice(&bytes[plain_from..]);
    out.push(b'"');
}

/// Whether any of the eight bytes in `word` is a control character, `"` or `\`.
fn needs_escape(word: u64) -> bool {
    eight_bytes::below(word, 0x20)
        | eight_bytes::equal(word, b'"')
        | eight_bytes::equal(word, b'\\')
        != 0
}

/// What follows the backslash for byte `b`, if it is escaped: its letter, or `u` for `\u00XX`.
fn escape(b: u8) -> Option<u8> {
    match b {
        b'"' => Some(b'"'),
        b'\\' => Some(b'\\'),
        0x08 => Some(b'b'),
        0x0C => Some(b'f'),
        b'\n' => Some(b'n'),
        b'\r' => Some(b'r'),
        b'\t' => Some(b't'),
        0x00..=0x1F => Some(b'u'),
        _ => None,
    }
}

fn push_escape(out: &mut Vec<u8>, b: u8, escape: u8) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.extend_from_slice(&[b'\\', escape]);
    if escape == b'u' {
        out.extend_from_slice(&[
            b'0',
            b'0',
            HEX[usize::from(b >> 4)],
            HEX[usize::from(b & 0xF)],
        ]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(text: &str) -> String {
        let mut out = Vec::new();
        push_str(&mut out, text);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn strings_are_written_as_serde_json_writes_them() {
        let mut samples: Vec<String> = [
            "",
            "plain ASCII text that is longer than eight bytes",
            "외교부는 오늘 \"한미 외교장관회담\" 결과를 발표하였다.",
            "back\\slash, tab\there, line\nbreak, cr\r, bell\u{7}, nul\u{0}, del\u{7F}, \u{1F}",
            "\u{8}\u{C}\u{B}\"\"\\\\",
            "ends with a quote\"",
            "é€😀 and C1 \u{85}\u{9F}",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        // Every byte below 0x80 at every position of a 16-byte string, so each one is seen
        // both in a whole eight-byte word and in the tail.
        for b in 0u8..0x80 {
            for at in 0..16 {
                let mut bytes = vec![b'x'; 16];
                bytes[at] = b;
                samples.push(String::from_utf8(bytes).unwrap());
            }
        }
        for text in &samples {
            assert_eq!(
                written(text),
                serde_json::to_string(text).unwrap(),
                "{text:?}"
            );
        }
    }
}
