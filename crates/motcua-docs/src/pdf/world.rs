//! The Typst world of the forms: embedded templates, one virtual JSON file with the data, and
//! fonts loaded once per process.

use std::collections::HashMap;
use std::path::Path;
use std::sync::OnceLock;

use motcua_core::dossiers::FormKind;
use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

/// Path of the virtual file that carries the form's data; templates read it with
/// `json("/data.json")`.
pub(crate) const DATA_PATH: &str = "/data.json";

/// The templates, embedded at compile time: (virtual path, text).
const TEMPLATES: &[(&str, &str)] = &[
    ("/common.typ", include_str!("../../templates/common.typ")),
    ("/receipt.typ", include_str!("../../templates/receipt.typ")),
    ("/supplement.typ", include_str!("../../templates/supplement.typ")),
    ("/refusal.typ", include_str!("../../templates/refusal.typ")),
    ("/apology.typ", include_str!("../../templates/apology.typ")),
    ("/stop_notice.typ", include_str!("../../templates/stop_notice.typ")),
    ("/control_slip.typ", include_str!("../../templates/control_slip.typ")),
    ("/ledger.typ", include_str!("../../templates/ledger.typ")),
];

/// The main template of each form.
fn main_path(kind: FormKind) -> &'static str {
    match kind {
        FormKind::Receipt => "/receipt.typ",
        FormKind::SupplementRequest => "/supplement.typ",
        FormKind::Refusal => "/refusal.typ",
        FormKind::Apology => "/apology.typ",
        FormKind::StopNotice => "/stop_notice.typ",
        FormKind::ControlSlip => "/control_slip.typ",
        FormKind::Ledger => "/ledger.typ",
    }
}

/// The family wanted first: metric-compatible with Times New Roman, used when installed.
const SYSTEM_SERIF: &str = "Liberation Serif";
/// The embedded fallback (typst-assets), which covers Vietnamese.
const EMBEDDED_SERIF: &str = "Libertinus Serif";

/// Where Liberation Serif is looked for (Debian, Fedora, Arch, Alpine, local installs).
const FONT_DIRS: &[&str] = &[
    "/usr/share/fonts",
    "/usr/local/share/fonts",
    "/usr/share/fonts/truetype",
];

/// Everything shared by all renders, built once.
pub(crate) struct Env {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
    /// Font families for the templates, preferred first.
    pub(crate) families: Vec<&'static str>,
    sources: HashMap<FileId, Source>,
    data_id: Option<FileId>,
}

static ENV: OnceLock<Env> = OnceLock::new();

/// The shared environment (library, font book, parsed templates).
pub(crate) fn env() -> &'static Env {
    ENV.get_or_init(Env::load)
}

fn file_id(path: &str) -> Option<FileId> {
    let vpath = VirtualPath::new(path).ok()?;
    Some(RootedPath::new(VirtualRoot::Project, vpath).intern())
}

impl Env {
    fn load() -> Self {
        let mut fonts = system_serif_fonts();
        let mut families = Vec::new();
        if !fonts.is_empty() {
            families.push(SYSTEM_SERIF);
        }
        families.push(EMBEDDED_SERIF);
        fonts.extend(typst_assets::fonts().flat_map(|data| Font::iter(Bytes::new(data))));
        let book = FontBook::from_fonts(&fonts);
        let sources = TEMPLATES
            .iter()
            .filter_map(|(path, text)| {
                let id = file_id(path)?;
                Some((id, Source::new(id, (*text).to_owned())))
            })
            .collect();
        Self {
            library: LazyHash::new(Library::default()),
            book: LazyHash::new(book),
            fonts,
            families,
            sources,
            data_id: file_id(DATA_PATH),
        }
    }

    /// The world for one render of `kind` with `data` (JSON bytes).
    pub(crate) fn world(&'static self, kind: FormKind, data: Vec<u8>) -> Option<FormWorld> {
        let main = file_id(main_path(kind))?;
        self.sources.get(&main)?;
        Some(FormWorld {
            env: self,
            main,
            data: Bytes::new(data),
        })
    }

    /// Whether Liberation Serif was found on this system.
    pub(crate) fn has_system_serif(&self) -> bool {
        self.families.first() == Some(&SYSTEM_SERIF)
    }

    #[cfg(test)]
    pub(crate) fn book(&self) -> &FontBook {
        &self.book
    }

    #[cfg(test)]
    pub(crate) fn fonts(&self) -> &[Font] {
        &self.fonts
    }
}

/// Loads `LiberationSerif-*.ttf` from the usual font directories (two levels deep).
fn system_serif_fonts() -> Vec<Font> {
    let mut found = Vec::new();
    for dir in FONT_DIRS {
        collect(Path::new(dir), 3, &mut found);
    }
    found.sort();
    found.dedup_by(|a, b| a.file_name() == b.file_name());
    found
        .into_iter()
        .filter_map(|p| std::fs::read(p).ok())
        .flat_map(|data| Font::iter(Bytes::new(data)))
        .filter(|f| f.info().family == SYSTEM_SERIF)
        .collect()
}

fn collect(dir: &Path, depth: u8, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            if depth > 0 {
                collect(&p, depth - 1, out);
            }
        } else if p
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with("LiberationSerif") && n.ends_with(".ttf"))
        {
            out.push(p);
        }
    }
}

/// One compilation: the shared environment plus this form's data.
pub(crate) struct FormWorld {
    env: &'static Env,
    main: FileId,
    data: Bytes,
}

impl World for FormWorld {
    fn library(&self) -> &LazyHash<Library> {
        &self.env.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.env.book
    }

    fn main(&self) -> FileId {
        self.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        self.env.sources.get(&id).cloned().ok_or_else(|| not_found(id))
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if Some(id) == self.env.data_id {
            return Ok(self.data.clone());
        }
        match self.env.sources.get(&id) {
            Some(s) => Ok(Bytes::from_string(s.clone())),
            None => Err(not_found(id)),
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.env.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        // Forms print the dates they are given, never "today".
        None
    }
}

fn not_found(id: FileId) -> FileError {
    FileError::NotFound(id.vpath().get_with_slash().trim_start_matches('/').into())
}
