//! The translations, checked (issue 39): every language file in `locales/`
//! has exactly the keys of the default language (`en.json`), and every key
//! is used somewhere in `src/`, so a word cannot go missing in one language
//! or linger after the page that showed it is gone. (A key used in the code
//! but absent from the files fails the build: leptos_i18n checks that.)
//!
//! A key is used when a translation macro names it: `td!`, `td_string!`,
//! `t!`, `t_string!`, `tu_string!` (`macro!(locale, some.key, …)`), or
//! `plural_string!(locale, some.key, count = …)`, which uses the key's
//! `one` and `other` forms.

use std::{
    collections::BTreeSet,
    fs,
    path::{Path, PathBuf},
};

use crate::rust_files;

/// The languages' files, the default one first.
fn locale_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("locales");
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .expect("locales/")
        .map(|entry| entry.expect("an entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort_by_key(|path| path.file_name() != Some("en.json".as_ref()));
    files
}

/// Every leaf key of a language file, dotted (`live.new_messages.one`).
fn keys_of(file: &Path) -> BTreeSet<String> {
    fn walk(prefix: &str, value: &serde_json::Value, out: &mut BTreeSet<String>) {
        match value {
            serde_json::Value::Object(map) => {
                for (key, value) in map {
                    let path = if prefix.is_empty() { key.clone() } else { format!("{prefix}.{key}") };
                    walk(&path, value, out);
                }
            }
            _ => {
                out.insert(prefix.to_string());
            }
        }
    }
    let text = fs::read_to_string(file).expect("a language file");
    let value: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let mut keys = BTreeSet::new();
    walk("", &value, &mut keys);
    keys
}

/// The keys named by translation macros in `source` (plural keys with
/// their `one` and `other` forms).
pub(crate) fn keys_used_in(source: &str) -> BTreeSet<String> {
    const MACROS: &[&str] = &["td!(", "td_string!(", "t!(", "t_string!(", "tu_string!(", "plural_string!("];
    let mut used = BTreeSet::new();
    for name in MACROS {
        let mut rest = source;
        while let Some(at) = rest.find(name) {
            let before = rest[..at].chars().next_back();
            rest = &rest[at + name.len()..];
            // `td!(` inside `ttd!(` or an identifier: not ours.
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            // Skip the first argument (the locale or context) to its comma.
            let mut depth = 0;
            let Some(comma) = rest.char_indices().find_map(|(i, c)| {
                match c {
                    '(' | '[' | '{' => depth += 1,
                    ')' | ']' | '}' if depth == 0 => return Some(None),
                    ')' | ']' | '}' => depth -= 1,
                    ',' if depth == 0 => return Some(Some(i)),
                    _ => {}
                }
                None
            }).flatten() else { continue };
            let key: String = rest[comma + 1..]
                .trim_start()
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '.')
                .collect();
            if key.is_empty() {
                continue;
            }
            if *name == "plural_string!(" {
                used.insert(format!("{key}.one"));
                used.insert(format!("{key}.other"));
            } else {
                used.insert(key);
            }
        }
    }
    used
}

#[test]
fn every_language_has_the_same_keys_and_every_key_is_used() {
    let files = locale_files();
    assert!(files.len() >= 2, "locales/ holds en.json and at least one other language");
    let default = keys_of(&files[0]);
    let mut failures = Vec::new();
    for file in &files[1..] {
        let keys = keys_of(file);
        let name = file.file_name().unwrap().to_string_lossy();
        for missing in default.difference(&keys) {
            failures.push(format!("{name}: missing {missing}"));
        }
        for extra in keys.difference(&default) {
            failures.push(format!("{name}: {extra} is not in en.json"));
        }
    }
    let mut sources = Vec::new();
    rust_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut sources);
    let used: BTreeSet<String> =
        sources.iter().flat_map(|path| keys_used_in(&fs::read_to_string(path).expect("a source file"))).collect();
    for unused in default.difference(&used) {
        failures.push(format!("en.json: {unused} is used nowhere in src/"));
    }
    assert!(failures.is_empty(), "translations:\n{}", failures.join("\n"));
}

#[test]
fn the_key_reader_finds_each_form() {
    let source = r#"
        view! { <p>{td_string!(locale, home.title)}</p> }
        td!(locale, join.expires_on, date = move || f(a, b), <when>)
        plural_string!(state.locale, common.members, count = n)
        t!(i18n, header.log_out)
        format!("not a key {}", x)
        ttd!(locale, not.ours)
    "#;
    let used = keys_used_in(source);
    let expected: BTreeSet<String> =
        ["home.title", "join.expires_on", "common.members.one", "common.members.other", "header.log_out"]
            .into_iter()
            .map(String::from)
            .collect();
    assert_eq!(used, expected);
}
