//! The crate's layers, checked: each top-level module of `src/` may import
//! only modules of the layers below its own (and, among the features, each
//! other, without a cycle). From the bottom:
//!
//! 0. `i18n`: the languages, their words and which one a request reads;
//!    then `error`: the error type and its refusals, worded in `i18n`;
//! 1. shared types and rules, no I/O: `types`, `limits`, `names`,
//!    `clock`, `invite_token`;
//! 2. `store`: all SQL;
//! 3. `live`: fan-out, presence, typing, the timeline service, the socket,
//!    the node bus;
//! 4. `context`: the shared state and the request's context (settings,
//!    rate limiters, the client's address and origin);
//! 5. the features: `accounts`, `rooms`, `invites`, `spaces`, `instant`,
//!    `attachments`, with their server functions;
//! 6. `server`: the composition root (router, middleware, start-up);
//! 7. `pages`.
//!
//! The load client (`bench`) and the integration tests (`tests`) are not
//! layers: nothing may import them, and what they import is not checked.
//!
//! Every `use crate::…` tree and every `crate::…` path in an expression or
//! a type counts (parsed with `syn`, so groups such as
//! `crate::{live::Topic, rooms::Role}` are read as the compiler reads
//! them), as do `super::` paths that climb out of their top-level module.
//! A failure names each offending import with its file and line.
//!
//! The features' one way of keeping server-only code out of the browser
//! build is checked beside it ([`server_only`]).

use std::{
    collections::{BTreeMap, BTreeSet},
    fs,
    path::{Path, PathBuf},
};

use syn::visit::Visit;

mod server_only;
mod translations;

/// The layers, from the bottom; modules of one layer share a rank.
pub(crate) const LAYERS: &[&[&str]] = &[
    // The languages and their words, which every layer above may show.
    &["i18n"],
    // The one error type and its refusals, which rules below the features
    // return.
    &["error"],
    &["types", "limits", "names", "clock", "invite_token"],
    &["store"],
    &["live"],
    // The shared state and the request's context (settings, rate limiters,
    // the client's address and origin), which the features read.
    &["context"],
    &["accounts", "rooms", "invites", "spaces", "instant", "attachments"],
    &["server"],
    &["pages"],
];

/// Modules that are not layers: nothing may import them.
const OUTSIDE: &[&str] = &["bench", "tests"];

/// One `crate::` import: which top-level module it names, and where.
#[derive(Debug, Clone)]
struct Import {
    to: String,
    file: PathBuf,
    line: usize,
}

/// Collects the top-level modules that one file's paths name.
struct Imports<'a> {
    /// The module path of the item being visited (`["live", "hub"]`).
    module: Vec<String>,
    file: &'a Path,
    found: Vec<Import>,
}

impl Imports<'_> {
    /// Records the top-level module that `segments` (a path as written)
    /// leads to, if it starts at the crate root or climbs there.
    fn path(&mut self, segments: &[String], line: usize) {
        let Some(first) = segments.first() else { return };
        let target = if first == "crate" {
            segments.get(1)
        } else if first == "super" {
            let ups = segments.iter().take_while(|s| *s == "super").count();
            if ups < self.module.len() {
                return; // stays inside its top-level module
            }
            segments.get(ups)
        } else {
            return;
        };
        if let Some(to) = target {
            self.found.push(Import { to: to.clone(), file: self.file.to_path_buf(), line });
        }
    }

    fn use_tree(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree, line: usize) {
        match tree {
            syn::UseTree::Path(p) => {
                prefix.push(p.ident.to_string());
                self.use_tree(prefix, &p.tree, line);
                prefix.pop();
            }
            syn::UseTree::Name(n) => {
                prefix.push(n.ident.to_string());
                self.path(prefix, line);
                prefix.pop();
            }
            syn::UseTree::Rename(r) => {
                prefix.push(r.ident.to_string());
                self.path(prefix, line);
                prefix.pop();
            }
            syn::UseTree::Glob(_) => {
                prefix.push("*".into());
                self.path(prefix, line);
                prefix.pop();
            }
            syn::UseTree::Group(g) => {
                for item in &g.items {
                    self.use_tree(prefix, item, line);
                }
            }
        }
    }
}

impl<'ast> Visit<'ast> for Imports<'_> {
    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        let line = item.use_token.span.start().line;
        self.use_tree(&mut Vec::new(), &item.tree, line);
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        let line = path.segments.first().map_or(0, |s| s.ident.span().start().line);
        self.path(&segments, line);
        syn::visit::visit_path(self, path);
    }

    fn visit_item_mod(&mut self, item: &'ast syn::ItemMod) {
        self.module.push(item.ident.to_string());
        syn::visit::visit_item_mod(self, item);
        self.module.pop();
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        // `view!`, `matches!`, `format!`…: their bodies are tokens, not
        // syntax; read the paths in them from the tokens.
        let tokens: Vec<proc_macro2::TokenTree> = mac.tokens.clone().into_iter().collect();
        self.tokens(&tokens);
        syn::visit::visit_macro(self, mac);
    }
}

impl Imports<'_> {
    /// Finds `crate :: name` and `super :: … :: name` in raw macro tokens.
    fn tokens(&mut self, tokens: &[proc_macro2::TokenTree]) {
        use proc_macro2::TokenTree;
        let mut i = 0;
        while i < tokens.len() {
            match &tokens[i] {
                TokenTree::Group(g) => {
                    let inner: Vec<TokenTree> = g.stream().into_iter().collect();
                    self.tokens(&inner);
                }
                TokenTree::Ident(id) if *id == "crate" || *id == "super" => {
                    let line = id.span().start().line;
                    let mut segments = vec![id.to_string()];
                    let mut j = i + 1;
                    // `:: name` triples: two ':' puncts, then an identifier.
                    while let (Some(TokenTree::Punct(a)), Some(TokenTree::Punct(b)), Some(TokenTree::Ident(next))) =
                        (tokens.get(j), tokens.get(j + 1), tokens.get(j + 2))
                    {
                        if a.as_char() != ':' || b.as_char() != ':' {
                            break;
                        }
                        segments.push(next.to_string());
                        j += 3;
                    }
                    if segments.len() > 1 {
                        self.path(&segments, line);
                    }
                    i = j;
                    continue;
                }
                _ => {}
            }
            i += 1;
        }
    }
}

/// Every `.rs` file under `dir`.
pub(crate) fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = fs::read_dir(dir).expect("src/ is readable").flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The module path of a file under `src/` (`src/live/hub/mod.rs` →
/// `["live", "hub"]`); empty for `lib.rs` and `main.rs`.
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).expect("under src/");
    let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    let last = parts.pop().unwrap_or_default();
    let stem = last.trim_end_matches(".rs");
    if !matches!(stem, "mod" | "lib" | "main") {
        parts.push(stem.to_string());
    }
    parts
}

/// Every import between top-level modules: importer → its imports.
fn imports() -> BTreeMap<String, Vec<Import>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut by_module: BTreeMap<String, Vec<Import>> = BTreeMap::new();
    for file in files {
        let module = module_of(&src, &file);
        let Some(top) = module.first().cloned() else { continue };
        if OUTSIDE.contains(&top.as_str()) {
            continue;
        }
        let text = fs::read_to_string(&file).expect("a source file is readable");
        let syntax = syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let mut visitor = Imports { module, file: &file, found: Vec::new() };
        visitor.visit_file(&syntax);
        let known = |m: &str| LAYERS.iter().any(|l| l.contains(&m)) || OUTSIDE.contains(&m);
        by_module
            .entry(top.clone())
            .or_default()
            .extend(visitor.found.into_iter().filter(|i| i.to != top && known(&i.to)));
    }
    by_module
}

fn rank(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

/// Whether `from → to` keeps to the layers (same-layer imports are left
/// to the cycle check).
fn downward(from: &str, to: &str) -> bool {
    match (rank(from), rank(to)) {
        (Some(a), Some(b)) => b <= a,
        _ => false,
    }
}

/// The first cycle among `edges`, as a list of modules, if there is one.
fn find_cycle(edges: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn walk(
        node: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        stack: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = stack.iter().position(|n| n == node) {
            let mut cycle = stack[at..].to_vec();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        stack.push(node.to_string());
        for next in edges.get(node).into_iter().flatten() {
            if let Some(cycle) = walk(next, edges, stack, done) {
                return Some(cycle);
            }
        }
        stack.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    edges.keys().find_map(|node| walk(node, edges, &mut Vec::new(), &mut done))
}

/// `src/live/hub.rs:12, src/live/socket/mod.rs:40`: where, at most five.
fn describe(imports: &[&Import]) -> String {
    let src = Path::new(env!("CARGO_MANIFEST_DIR"));
    let places: BTreeSet<String> = imports
        .iter()
        .map(|i| format!("{}:{}", i.file.strip_prefix(src).unwrap_or(&i.file).display(), i.line))
        .collect();
    places.into_iter().take(5).collect::<Vec<_>>().join(", ")
}

#[test]
fn modules_depend_downward_only_and_form_no_cycle() {
    let all = imports();
    let mut problems = Vec::new();
    let mut kept: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (from, list) in &all {
        let mut by_target: BTreeMap<&str, Vec<&Import>> = BTreeMap::new();
        for import in list {
            by_target.entry(import.to.as_str()).or_default().push(import);
        }
        for (to, found) in by_target {
            if downward(from, to) {
                kept.entry(from.clone()).or_default().insert(to.to_string());
            } else {
                problems.push(format!("`{from}` imports `{to}`, above its layer or outside the layers: {}", describe(&found)));
            }
        }
    }
    if let Some(cycle) = find_cycle(&kept) {
        let uses: Vec<String> = cycle
            .windows(2)
            .map(|pair| {
                let found: Vec<&Import> = all[&pair[0]].iter().filter(|i| i.to == pair[1]).collect();
                format!("`{}` → `{}` ({})", pair[0], pair[1], describe(&found))
            })
            .collect();
        problems.push(format!("a cycle among top-level modules: {}", uses.join(", ")));
    }
    assert!(problems.is_empty(), "the layers are broken:\n- {}", problems.join("\n- "));
}

#[test]
fn the_checker_reads_groups_inline_paths_macros_and_climbing_supers() {
    let text = r#"
        use crate::{live::Topic, rooms::{Role, Rights}};
        mod ssr { use super::super::super::store::Store; }
        fn f() { let _ = crate::server::now_ms(); view! { <p>{crate::limits::MAX}</p> } }
    "#;
    let syntax = syn::parse_file(text).expect("valid Rust");
    let file = PathBuf::from("src/pages/x.rs");
    let mut visitor = Imports { module: vec!["pages".into(), "x".into()], file: &file, found: Vec::new() };
    visitor.visit_file(&syntax);
    let found: BTreeSet<String> = visitor.found.into_iter().map(|i| i.to).collect();
    let expected: BTreeSet<String> = ["live", "rooms", "store", "server", "limits"].map(String::from).into();
    assert_eq!(found, expected);
    assert!(downward("pages", "live") && !downward("store", "rooms") && !downward("live", "tests"));
}
