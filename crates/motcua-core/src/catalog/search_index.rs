//! An inverted index over folded documents (chỉ mục tìm kiếm), so a search looks only at the
//! documents that can match instead of scoring the whole catalog.
//!
//! [`SearchIndex::matches`] gives exactly the documents and scores [`Query::score`] gives, but
//! works on word numbers instead of text: each query word is looked up once in the vocabulary
//! (exactly, and within one edit for words of at least [`MIN_TYPO_WORD_LEN`] characters), the
//! posting lists narrow the documents to those holding every word, and only those are scored,
//! without allocating. A property test holds the two together.

use super::{MIN_TYPO_WORD_LEN, MatchKind, Query, Score, within_one_edit};
use std::collections::HashMap;

/// Word → documents, built once per catalog snapshot. Document ids are positions in the order
/// the documents were given to [`SearchIndex::build`].
#[derive(Debug, Clone, Default)]
pub struct SearchIndex {
    /// Distinct words with their characters (for the one-typo comparison).
    words: Vec<Vec<char>>,
    /// Sorted, distinct document ids per word (same position as `words`).
    postings: Vec<Vec<u32>>,
    /// Exact lookup: word → position in `words`.
    by_text: HashMap<String, u32>,
    /// Word positions by length in characters: a one-edit neighbour differs by at most one.
    by_len: HashMap<usize, Vec<u32>>,
    /// Each document as its sequence of word numbers.
    docs: Vec<Vec<u32>>,
}

/// A query word resolved against the vocabulary.
struct Resolved {
    exact: Option<u32>,
    /// Words within one edit (empty for short query words, which must match exactly).
    near: Vec<u32>,
}

impl SearchIndex {
    /// Indexes **folded** documents (the output of [`super::fold`]).
    pub fn build<'a>(docs: impl IntoIterator<Item = &'a str>) -> Self {
        let mut ix = Self::default();
        for (doc, text) in docs.into_iter().enumerate() {
            let doc = u32::try_from(doc).unwrap_or(u32::MAX);
            let mut seq = Vec::new();
            for w in text.split_whitespace() {
                let id = match ix.by_text.get(w) {
                    Some(id) => *id,
                    None => {
                        let id = ix.words.len() as u32;
                        let chars: Vec<char> = w.chars().collect();
                        ix.by_len.entry(chars.len()).or_default().push(id);
                        ix.words.push(chars);
                        ix.postings.push(Vec::new());
                        ix.by_text.insert(w.to_owned(), id);
                        id
                    }
                };
                seq.push(id);
                let list = &mut ix.postings[id as usize];
                if list.last() != Some(&doc) {
                    list.push(doc);
                }
            }
            ix.docs.push(seq);
        }
        ix
    }

    /// Number of distinct words.
    pub fn vocabulary(&self) -> usize {
        self.words.len()
    }

    fn resolve(&self, query: &Query) -> Vec<Resolved> {
        query
            .words
            .iter()
            .map(|q| {
                let exact = self.by_text.get(q.text.as_str()).copied();
                let mut near = Vec::new();
                if q.chars.len() >= MIN_TYPO_WORD_LEN {
                    for len in q.chars.len() - 1..=q.chars.len() + 1 {
                        for id in self.by_len.get(&len).into_iter().flatten() {
                            if Some(*id) != exact && within_one_edit(&q.chars, &self.words[*id as usize]) {
                                near.push(*id);
                            }
                        }
                    }
                }
                Resolved { exact, near }
            })
            .collect()
    }

    /// The documents in which every query word occurs (exactly, or within one edit for long
    /// enough words), ascending. Empty for an empty query.
    pub fn candidates(&self, query: &Query) -> Vec<u32> {
        self.candidates_of(&self.resolve(query))
    }

    fn candidates_of(&self, resolved: &[Resolved]) -> Vec<u32> {
        if resolved.is_empty() {
            return Vec::new();
        }
        // One bit per document: a word's documents are OR-ed (its exact and near forms), the
        // words AND-ed — no sorting, and a catalog of 10,000 documents is 157 machine words.
        let blocks = self.docs.len().div_ceil(64);
        let mut all: Option<Vec<u64>> = None;
        for r in resolved {
            let mut bits = vec![0u64; blocks];
            for id in r.exact.iter().chain(&r.near) {
                for d in &self.postings[*id as usize] {
                    bits[*d as usize / 64] |= 1 << (*d % 64);
                }
            }
            if let Some(prev) = &all {
                for (b, p) in bits.iter_mut().zip(prev) {
                    *b &= *p;
                }
            }
            if bits.iter().all(|b| *b == 0) {
                return Vec::new();
            }
            all = Some(bits);
        }
        let mut out = Vec::new();
        for (i, block) in all.unwrap_or_default().into_iter().enumerate() {
            let mut b = block;
            while b != 0 {
                out.push((i * 64) as u32 + b.trailing_zeros());
                b &= b - 1;
            }
        }
        out
    }

    /// Every matching document with its score, ascending by document: the same documents and
    /// scores as [`Query::score`] on each document's text.
    pub fn matches(&self, query: &Query) -> Vec<(u32, Score)> {
        let resolved = self.resolve(query);
        self.candidates_of(&resolved)
            .into_iter()
            .filter_map(|d| Some((d, self.score(&resolved, &self.docs[d as usize])?)))
            .collect()
    }

    /// [`Query::score`] over word numbers.
    fn score(&self, resolved: &[Resolved], doc: &[u32]) -> Option<Score> {
        if resolved.is_empty() {
            return None;
        }
        let doc_words = u32::try_from(doc.len()).unwrap_or(u32::MAX);
        let n = resolved.len();
        let phrase: Option<Vec<u32>> = resolved.iter().map(|r| r.exact).collect();
        if let Some(phrase) = phrase
            && doc.len() >= n
            && let Some(start) = doc.windows(n).position(|w| w == phrase.as_slice())
        {
            return Some(Score {
                kind: MatchKind::Phrase,
                exact_words: n as u32,
                position: u32::try_from(start).unwrap_or(u32::MAX),
                doc_words,
            });
        }
        let (mut exact, mut first) = (0u32, usize::MAX);
        for r in resolved {
            if let Some(i) = r.exact.and_then(|e| doc.iter().position(|d| *d == e)) {
                exact += 1;
                first = first.min(i);
                continue;
            }
            let i = doc.iter().position(|d| r.near.contains(d))?;
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

#[cfg(test)]
mod tests {
    use super::super::fold;
    use super::*;
    use proptest::prelude::*;

    fn docs() -> Vec<String> {
        [
            "Cấp giấy phép tiến hành công việc bức xạ",
            "Đăng ký kết quả thực hiện nhiệm vụ khoa học và công nghệ",
            "Cấp giấy chứng nhận đăng ký hoạt động khoa học và công nghệ",
            "Gia hạn giấy phép tiến hành công việc bức xạ",
        ]
        .iter()
        .map(|d| fold(d))
        .collect()
    }

    #[test]
    fn finds_without_diacritics_and_with_one_typo() {
        let d = docs();
        let ix = SearchIndex::build(d.iter().map(String::as_str));
        assert_eq!(ix.candidates(&Query::new("cap giay phep buc xa")), vec![0]);
        assert_eq!(ix.candidates(&Query::new("dang ky")), vec![1, 2]);
        assert_eq!(ix.candidates(&Query::new("giay phap")), vec![0, 3]);
        assert!(ix.candidates(&Query::new("")).is_empty());
        assert!(ix.candidates(&Query::new("xyz")).is_empty());
    }

    const WORDS: &[&str] = &[
        "cap", "giay", "phep", "phap", "buc", "xa", "dang", "ky", "khoa", "hoc", "cong", "nghe", "nghiep", "chung",
        "nhan", "thuc", "hien", "giao", "gioa",
    ];

    fn text() -> impl Strategy<Value = String> {
        proptest::collection::vec(proptest::sample::select(WORDS), 0..8).prop_map(|w| w.join(" "))
    }

    proptest! {
        /// The index returns exactly the documents `Query::score` accepts (issue 4 item 4: the
        /// same hits as scoring every document).
        #[test]
        fn candidates_are_exactly_the_matches(docs in proptest::collection::vec(text(), 0..30), q in text()) {
            let ix = SearchIndex::build(docs.iter().map(String::as_str));
            let query = Query::new(&q);
            let want: Vec<u32> = docs
                .iter()
                .enumerate()
                .filter(|(_, d)| query.score(d).is_some())
                .map(|(i, _)| i as u32)
                .collect();
            prop_assert_eq!(ix.candidates(&query), want);
            let scored: Vec<(u32, Score)> = docs
                .iter()
                .enumerate()
                .filter_map(|(i, d)| Some((i as u32, query.score(d)?)))
                .collect();
            prop_assert_eq!(ix.matches(&query), scored);
        }
    }
}
