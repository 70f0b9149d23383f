//! Buffers kept for the rest of a build or a `serve` session, moved into blocks of their own
//! size when they have much room to spare. `shrink_to_fit` cannot do it under mimalloc, which
//! keeps a block in place when it shrinks by less than half: a page rendered into a 16 KB
//! buffer kept all 16 KB.

/// More than an eighth of the buffer is unused.
fn roomy(len: usize, capacity: usize) -> bool {
    capacity - len > len / 8
}

/// `text`, copied into a block of its own size if it has much room to spare.
pub fn fitted_string(text: String) -> String {
    if roomy(text.len(), text.capacity()) {
        text.as_str().to_owned()
    } else {
        text
    }
}

/// `bytes`, copied into a block of their own size if they have much room to spare.
pub fn fitted_bytes(bytes: Vec<u8>) -> Vec<u8> {
    if roomy(bytes.len(), bytes.capacity()) {
        bytes.as_slice().to_vec()
    } else {
        bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roomy_buffers_move_and_snug_ones_stay() {
        let mut text = String::with_capacity(1000);
        text.push_str("<p>본문</p>");
        let fitted = fitted_string(text);
        assert_eq!(fitted, "<p>본문</p>");
        assert!(fitted.capacity() < 1000, "{}", fitted.capacity());

        let mut bytes = Vec::with_capacity(16 * 1024);
        bytes.extend_from_slice(&[b'x'; 9800]);
        let fitted = fitted_bytes(bytes);
        assert_eq!(fitted, [b'x'; 9800]);
        assert!(fitted.capacity() < 16 * 1024, "{}", fitted.capacity());

        let mut snug = Vec::with_capacity(1100);
        snug.extend_from_slice(&[b'y'; 1000]);
        let pointer = snug.as_ptr();
        let kept = fitted_bytes(snug);
        assert_eq!(
            kept.as_ptr(),
            pointer,
            "an eighth or less of slack is no reason to copy"
        );
    }
}
