//! Public search (tra cứu thủ tục): Vietnamese folding and ranking.
//!
//! Citizens type without diacritics (`cap giay phep buc xa`) and make typos; the catalog stores
//! names with full diacritics, in NFC or NFD depending on where the text came from. [`fold`]
//! brings both sides to the same form; [`rank`] / [`Query::score`] decide whether a document
//! matches and how well (issue 4, item 4).
//!
//! Pure and total: any input — any length, any code point — gives an answer and never panics.

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};

/// Base letter of a precomposed Latin letter with diacritics (chữ có dấu → chữ không dấu): all
/// Vietnamese vowels with tone and shape marks, `đ`/`Đ`, and the common Latin-1 / Latin
/// Extended-A letters. `None` for anything else.
fn base_letter(c: char) -> Option<char> {
    match c {
        'à' | 'á' | 'ả' | 'ã' | 'ạ' | 'ă' | 'ằ' | 'ắ' | 'ẳ' | 'ẵ' | 'ặ' | 'â' | 'ầ' | 'ấ' | 'ẩ' | 'ẫ' | 'ậ' | 'À'
        | 'Á' | 'Ả' | 'Ã' | 'Ạ' | 'Ă' | 'Ằ' | 'Ắ' | 'Ẳ' | 'Ẵ' | 'Ặ' | 'Â' | 'Ầ' | 'Ấ' | 'Ẩ' | 'Ẫ' | 'Ậ' | 'ä' | 'å'
        | 'ā' | 'ą' | 'Ä' | 'Å' | 'Ā' | 'Ą' => Some('a'),
        'è' | 'é' | 'ẻ' | 'ẽ' | 'ẹ' | 'ê' | 'ề' | 'ế' | 'ể' | 'ễ' | 'ệ' | 'È' | 'É' | 'Ẻ' | 'Ẽ' | 'Ẹ' | 'Ê' | 'Ề'
        | 'Ế' | 'Ể' | 'Ễ' | 'Ệ' | 'ë' | 'ē' | 'ę' | 'ě' | 'ė' | 'Ë' | 'Ē' | 'Ę' | 'Ě' | 'Ė' => {
            Some('e')
        }
        'ì' | 'í' | 'ỉ' | 'ĩ' | 'ị' | 'Ì' | 'Í' | 'Ỉ' | 'Ĩ' | 'Ị' | 'î' | 'ï' | 'ī' | 'į' | 'ı' | 'Î' | 'Ï' | 'Ī'
        | 'Į' | 'İ' => Some('i'),
        'ò' | 'ó' | 'ỏ' | 'õ' | 'ọ' | 'ô' | 'ồ' | 'ố' | 'ổ' | 'ỗ' | 'ộ' | 'ơ' | 'ờ' | 'ớ' | 'ở' | 'ỡ' | 'ợ' | 'Ò'
        | 'Ó' | 'Ỏ' | 'Õ' | 'Ọ' | 'Ô' | 'Ồ' | 'Ố' | 'Ổ' | 'Ỗ' | 'Ộ' | 'Ơ' | 'Ờ' | 'Ớ' | 'Ở' | 'Ỡ' | 'Ợ' | 'ö' | 'ø'
        | 'ō' | 'ő' | 'Ö' | 'Ø' | 'Ō' | 'Ő' => Some('o'),
        'ù' | 'ú' | 'ủ' | 'ũ' | 'ụ' | 'ư' | 'ừ' | 'ứ' | 'ử' | 'ữ' | 'ự' | 'Ù' | 'Ú' | 'Ủ' | 'Ũ' | 'Ụ' | 'Ư' | 'Ừ'
        | 'Ứ' | 'Ử' | 'Ữ' | 'Ự' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' | 'ų' | 'Û' | 'Ü' | 'Ū' | 'Ů' | 'Ű' | 'Ų' => {
            Some('u')
        }
        'ỳ' | 'ý' | 'ỷ' | 'ỹ' | 'ỵ' | 'Ỳ' | 'Ý' | 'Ỷ' | 'Ỹ' | 'Ỵ' | 'ÿ' | 'Ÿ' => Some('y'),
        'đ' | 'Đ' | 'Ð' | 'ð' | 'ď' | 'Ď' => Some('d'),
        'ç' | 'ć' | 'č' | 'Ç' | 'Ć' | 'Č' => Some('c'),
        'ñ' | 'ń' | 'ň' | 'Ñ' | 'Ń' | 'Ň' => Some('n'),
        'ś' | 'š' | 'ş' | 'Ś' | 'Š' | 'Ş' => Some('s'),
        'ź' | 'ż' | 'ž' | 'Ź' | 'Ż' | 'Ž' => Some('z'),
        'ř' | 'Ř' => Some('r'),
        'ť' | 'ţ' | 'Ť' | 'Ţ' => Some('t'),
        'ğ' | 'Ğ' => Some('g'),
        'ł' | 'ĺ' | 'ľ' | 'Ł' | 'Ĺ' | 'Ľ' => Some('l'),
        // Full-width ASCII letters and digits (Ａ, ５) typed with some Asian input methods.
        '\u{FF10}'..='\u{FF19}' | '\u{FF21}'..='\u{FF3A}' | '\u{FF41}'..='\u{FF5A}' => {
            char::from_u32(c as u32 - 0xFEE0).map(|a| a.to_ascii_lowercase())
        }
        _ => None,
    }
}

/// Combining marks (dấu kết hợp) dropped by [`fold`]: the Combining Diacritical Marks block
/// U+0300–U+036F (all Vietnamese tone marks and the breve, circumflex and horn of NFD text)
/// and the supplement/extended blocks.
fn is_combining(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}' | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}' | '\u{20D0}'..='\u{20FF}' | '\u{FE20}'..='\u{FE2F}')
}

/// Folds text for search (chuẩn hóa không dấu): lower case, no diacritics, words separated by
/// single spaces, no leading or trailing space.
///
/// * Precomposed (NFC) and decomposed (NFD) input give the same result: combining marks
///   U+0300–U+036F are dropped and precomposed letters are mapped by a table, so `Đăng ký`,
///   `ĐĂNG KÝ` and `Đa\u{306}ng ky\u{301}` all fold to `dang ky`. `đ`/`Đ` → `d`.
/// * Anything that is not a letter or digit (spaces, punctuation, symbols, control characters)
///   separates words: `X-quang` → `x quang`.
/// * Letters of other scripts are kept, lower-cased; everything Vietnamese or Latin comes out
///   as ASCII.
///
/// Idempotent: `fold(&fold(s)) == fold(s)`.
pub fn fold(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    let mut pending_space = false;
    let push = |out: &mut String, c: char, pending_space: &mut bool| {
        if *pending_space && !out.is_empty() {
            out.push(' ');
        }
        *pending_space = false;
        out.push(c);
    };
    for c in input.chars() {
        if c.is_ascii_alphanumeric() {
            push(&mut out, c.to_ascii_lowercase(), &mut pending_space);
        } else if is_combining(c) {
            // dropped: a mark belongs to the letter before it
        } else if let Some(b) = base_letter(c) {
            push(&mut out, b, &mut pending_space);
        } else if c.is_alphanumeric() {
            for l in c.to_lowercase() {
                if is_combining(l) {
                    continue;
                }
                let l = base_letter(l).unwrap_or(l);
                if l.is_alphanumeric() {
                    push(&mut out, l, &mut pending_space);
                }
            }
        } else {
            pending_space = true;
        }
    }
    out
}

/// How a document matched a query, best last (so `Phrase > AllWords > Typo`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchKind {
    /// Every query word present, at least one only with one typo.
    Typo,
    /// Every query word present as a whole word, not as one phrase.
    AllWords,
    /// The query words appear together, in order (cụm từ).
    Phrase,
}

/// Relevance of a document for a query. Compare with `>`: a greater score ranks first.
///
/// Order: match kind (phrase, all words, typo), then more words matched exactly, then an earlier
/// first match, then a shorter document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Score {
    /// Kind of match.
    pub kind: MatchKind,
    /// Query words found without a typo.
    pub exact_words: u32,
    /// Word index in the document of the first match (phrase start, or first matched word).
    pub position: u32,
    /// Words in the document.
    pub doc_words: u32,
}

impl Ord for Score {
    fn cmp(&self, other: &Self) -> Ordering {
        self.kind
            .cmp(&other.kind)
            .then(self.exact_words.cmp(&other.exact_words))
            .then(other.position.cmp(&self.position))
            .then(other.doc_words.cmp(&self.doc_words))
    }
}

impl PartialOrd for Score {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// At most this many query words are used (the rest are ignored): bounds the work per document.
pub const MAX_QUERY_WORDS: usize = 32;

/// Shortest query word (in characters) that may match with one typo; shorter words must match
/// exactly, as `x`, `ky` or `cap` would otherwise match far too much.
pub const MIN_TYPO_WORD_LEN: usize = 4;

#[derive(Debug, Clone, PartialEq, Eq)]
struct Word {
    text: String,
    chars: Vec<char>,
}

/// A prepared query (câu tìm kiếm): folded and split once, then scored against many documents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    words: Vec<Word>,
}

impl Query {
    /// Prepares any text as a query (folds it; keeps the first [`MAX_QUERY_WORDS`] words).
    pub fn new(text: &str) -> Self {
        let folded = fold(text);
        let words = folded
            .split(' ')
            .filter(|w| !w.is_empty())
            .take(MAX_QUERY_WORDS)
            .map(|w| Word {
                text: w.to_owned(),
                chars: w.chars().collect(),
            })
            .collect();
        Self { words }
    }

    /// Whether the query has no word (it then matches nothing).
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// The folded query words.
    pub fn words(&self) -> impl Iterator<Item = &str> {
        self.words.iter().map(|w| w.text.as_str())
    }

    /// Scores a **folded** document text (the output of [`fold`]); `None` when it does not match.
    pub fn score(&self, folded_doc: &str) -> Option<Score> {
        if self.words.is_empty() {
            return None;
        }
        let doc: Vec<&str> = folded_doc.split_whitespace().collect();
        let doc_words = u32::try_from(doc.len()).unwrap_or(u32::MAX);
        let n = self.words.len();
        // Phrase: the query words consecutive and in order.
        if doc.len() >= n
            && let Some(start) = doc
                .windows(n)
                .position(|w| w.iter().zip(&self.words).all(|(d, q)| *d == q.text))
        {
            return Some(Score {
                kind: MatchKind::Phrase,
                exact_words: n as u32,
                position: u32::try_from(start).unwrap_or(u32::MAX),
                doc_words,
            });
        }
        let mut exact = 0u32;
        let mut first = usize::MAX;
        let mut doc_chars: Option<Vec<Vec<char>>> = None;
        for q in &self.words {
            if let Some(i) = doc.iter().position(|d| *d == q.text) {
                exact += 1;
                first = first.min(i);
                continue;
            }
            if q.chars.len() < MIN_TYPO_WORD_LEN {
                return None;
            }
            let chars = doc_chars.get_or_insert_with(|| doc.iter().map(|d| d.chars().collect()).collect());
            let i = chars.iter().position(|d| within_one_edit(&q.chars, d))?;
            first = first.min(i);
        }
        Some(Score {
            kind: if exact as usize == n {
                MatchKind::AllWords
            } else {
                MatchKind::Typo
            },
            exact_words: exact,
            position: u32::try_from(first).unwrap_or(u32::MAX),
            doc_words,
        })
    }
}

/// Scores a folded document for a query (any text; it is folded here). `None` = no match.
///
/// Phrase matches rank first, then documents containing every word, then documents where some
/// word matches only with one typo (edit distance ≤ 1, adjacent transposition counting as one,
/// for words of at least [`MIN_TYPO_WORD_LEN`] characters). For many documents build a [`Query`]
/// once instead.
pub fn rank(query: &str, folded_doc: &str) -> Option<Score> {
    Query::new(query).score(folded_doc)
}

/// Whether `a` and `b` differ by at most one edit: substitution, insertion, deletion or swap of
/// two adjacent characters (optimal string alignment distance ≤ 1). Linear time.
pub fn within_one_edit<T: PartialEq>(a: &[T], b: &[T]) -> bool {
    let (la, lb) = (a.len(), b.len());
    if la.abs_diff(lb) > 1 {
        return false;
    }
    let i = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    if la == lb {
        if i == la {
            return true;
        }
        a[i + 1..] == b[i + 1..] || (i + 1 < la && a[i] == b[i + 1] && a[i + 1] == b[i] && a[i + 2..] == b[i + 2..])
    } else {
        let (s, l) = if la < lb { (a, b) } else { (b, a) };
        s[i..] == l[i + 1..]
    }
}

#[path = "search_index.rs"]
mod index;
pub use index::SearchIndex;

#[cfg(test)]
#[path = "search_tests.rs"]
mod tests;
