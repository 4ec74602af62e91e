//! Tests of search folding and ranking (issue 4 item 4: diacritics and case ignored, `đ` = `d`,
//! one typo per word, phrase matches first, any input never errors).

use proptest::prelude::*;

use super::*;

const BUC_XA: &str = "Cấp giấy phép tiến hành công việc bức xạ";
const X_QUANG: &str =
    "Thủ tục cấp giấy phép tiến hành công việc bức xạ - Sử dụng thiết bị X-quang chẩn đoán trong y tế";

#[test]
fn fold_vietnamese_precomposed() {
    assert_eq!(fold(BUC_XA), "cap giay phep tien hanh cong viec buc xa");
    assert_eq!(fold("Đăng ký"), "dang ky");
    assert_eq!(fold("ĐĂNG KÝ"), "dang ky");
    assert_eq!(fold("đ Đ"), "d d");
    assert_eq!(
        fold("Ưu tiên ỨNG DỤNG, ngữ nghĩa; hồ sơ \"đầy đủ\"!"),
        "uu tien ung dung ngu nghia ho so day du"
    );
    assert_eq!(
        fold("àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ"),
        "aaaaaaaaaaaaaaaaaeeeeeeeeeeeiiiiiooooooooooooooooouuuuuuuuuuuyyyyyd"
    );
    assert_eq!(
        fold("ÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴĐ"),
        "aaaaaaaaaaaaaaaaaeeeeeeeeeeeiiiiiooooooooooooooooouuuuuuuuuuuyyyyyd"
    );
}

#[test]
fn fold_nfd_equals_nfc() {
    // "Đăng ký" and "bức xạ" in NFD: base letter + combining breve/acute/horn/dot below.
    assert_eq!(fold("Đa\u{306}ng ky\u{301}"), "dang ky");
    assert_eq!(fold("bu\u{31B}\u{301}c xa\u{323}"), "buc xa");
    assert_eq!(fold("Nghi\u{323} \u{111}i\u{323}nh"), "nghi dinh");
    // A mark alone, or after a separator, leaves nothing behind.
    assert_eq!(fold("\u{301}"), "");
    assert_eq!(fold("a \u{301} b"), "a b");
}

#[test]
fn fold_separators_and_other_scripts() {
    assert_eq!(fold("X-quang"), "x quang");
    assert_eq!(fold("  a\t\n\r b  "), "a b");
    assert_eq!(fold("NĐ 63/2010/NĐ-CP"), "nd 63 2010 nd cp");
    assert_eq!(fold("ＡＢＣ１"), "abc1");
    assert_eq!(fold("Москва"), "москва");
    // A capital without a lower-case mapping stays (found by proptest: mathematical 𝔻).
    assert_eq!(fold("𝔻"), "𝔻");
    assert_eq!(fold(""), "");
    assert_eq!(fold("!!!"), "");
}

#[test]
fn issue_4_examples() {
    assert_eq!(
        rank("cap giay phep buc xa", &fold(BUC_XA)).unwrap().kind,
        MatchKind::AllWords
    );
    assert_eq!(
        rank("dang ky", &fold("Đăng ký kết quả")).unwrap().kind,
        MatchKind::Phrase
    );
    assert_eq!(
        rank("đăng KÝ", &fold("Đăng ký kết quả")).unwrap().kind,
        MatchKind::Phrase
    );
    assert_eq!(
        rank("giay phep x quang", &fold(X_QUANG)).unwrap().kind,
        MatchKind::AllWords
    );
    let typo = rank("giay phep x quamg", &fold(X_QUANG)).unwrap();
    assert_eq!(typo.kind, MatchKind::Typo);
    assert_eq!(typo.exact_words, 3);
    assert!(
        rank("giay phep y quang", &fold(X_QUANG)).is_some(),
        "y is in the text: y tế"
    );
    assert!(
        rank("giay phep z quang", &fold(X_QUANG)).is_none(),
        "short words need an exact match"
    );
}

#[test]
fn phrase_ranks_before_all_words_before_typo() {
    let q = Query::new("buc xa");
    let phrase = q.score(&fold("Cấp chứng chỉ nhân viên bức xạ")).unwrap();
    let words = q.score(&fold("Xạ trị và bức ảnh")).unwrap();
    assert!(phrase > words);
    let q = Query::new("giay phep");
    let exact = q.score(&fold("giấy phép")).unwrap();
    let typo = q.score(&fold("giấy phésp")).unwrap();
    let typo2 = q.score(&fold("giấy phéo")).unwrap();
    assert!(exact > typo && typo == typo2);
    // Among phrase matches: earlier, then shorter.
    let early = q.score("giay phep buc xa").unwrap();
    let late = q.score("cap giay phep").unwrap();
    let long = q.score("giay phep buc xa x quang").unwrap();
    assert!(early > late && early > long);
}

#[test]
fn one_typo_per_word_only() {
    let doc = fold("Công nhận trung tâm nghiên cứu");
    assert!(rank("nghi", &doc).is_none(), "a query word is not a prefix match");
    assert!(rank("nghiencuu", &doc).is_none());
    assert_eq!(
        rank("nghein cuu", &doc).unwrap().kind,
        MatchKind::Typo,
        "adjacent swap is one typo"
    );
    assert!(rank("ngheinn cuu", &doc).is_none(), "two typos");
    assert!(rank("trung tam nhgien", &doc).is_some());
}

#[test]
fn within_one_edit_cases() {
    let w = |a: &str, b: &str| within_one_edit(a.as_bytes(), b.as_bytes());
    assert!(w("quang", "quang"));
    assert!(w("quang", "quamg"));
    assert!(w("quang", "quan"));
    assert!(w("quang", "quangg"));
    assert!(w("quang", "qaung"));
    assert!(w("", "a"));
    assert!(!w("quang", "qamg"));
    assert!(!w("abcd", "badc"));
    assert!(!w("", "ab"));
}

#[test]
fn empty_queries_match_nothing() {
    assert!(rank("", "anything").is_none());
    assert!(rank("  ,.- ", "anything").is_none());
    assert!(rank("a", "").is_none());
}

proptest! {
    #[test]
    fn fold_never_panics_and_is_normalised(s in "\\PC{0,64}", raw in proptest::collection::vec(any::<char>(), 0..64)) {
        for input in [s, raw.into_iter().collect::<String>()] {
            let f = fold(&input);
            prop_assert!(!f.starts_with(' ') && !f.ends_with(' ') && !f.contains("  "));
            // Lower case wherever Unicode has a lower-case mapping (a few capitals, e.g. mathematical
            // letters, have none and stay as they are).
            prop_assert!(!f.chars().any(|c| c.is_uppercase() && c.to_lowercase().ne(std::iter::once(c))));
            prop_assert_eq!(fold(&f), f.clone());
        }
    }

    #[test]
    fn vietnamese_folds_to_ascii(s in "[a-zA-Z0-9 àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđĐẮỆƯỜ,.;:()/-]{0,80}") {
        prop_assert!(fold(&s).is_ascii());
    }

    #[test]
    fn rank_never_panics(q in "\\PC{0,200}", d in "\\PC{0,200}", raw in proptest::collection::vec(any::<char>(), 0..100)) {
        let raw: String = raw.into_iter().collect();
        let _ = rank(&q, &d);
        let _ = rank(&raw, &fold(&d));
        let _ = rank(&q, &raw);
    }

    #[test]
    fn a_folded_name_always_finds_itself_as_phrase(name in "[a-zA-Zàáạăằâấđêếôốơờưứý ]{1,60}") {
        let folded = fold(&name);
        if !folded.is_empty() {
            prop_assert_eq!(rank(&name, &folded).map(|s| s.kind), Some(MatchKind::Phrase));
        }
    }

    #[test]
    fn within_one_edit_agrees_with_definition(a in "[abc]{0,6}", b in "[abc]{0,6}") {
        prop_assert_eq!(within_one_edit(a.as_bytes(), b.as_bytes()), osa(a.as_bytes(), b.as_bytes()) <= 1);
    }
}

/// Reference optimal-string-alignment distance (dynamic programming).
fn osa(a: &[u8], b: &[u8]) -> usize {
    let (n, m) = (a.len(), b.len());
    let mut d = vec![vec![0usize; m + 1]; n + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=n {
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1).min(d[i][j - 1] + 1).min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[n][m]
}
