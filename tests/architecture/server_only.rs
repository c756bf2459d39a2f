//! The one convention for server-only code in the features (ARCHITECTURE.md,
//! under the layers): an item behind `#[cfg(feature = "ssr")]` is a module
//! (the feature's `ssr` module, or a route module gated whole) or a `use`;
//! anything else server-only belongs in the feature's `ssr` module.

use std::{fs, path::Path};

use super::{rust_files, LAYERS};

/// Whether `attrs` hold `#[cfg(feature = "ssr")]` exactly (not `cfg(all(test, …))`).
fn is_server_only(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("cfg")
            && a.meta.require_list().is_ok_and(|list| list.tokens.to_string().replace(' ', "") == "feature=\"ssr\"")
    })
}

/// Items of a feature module's file that are server-only but neither a
/// module nor a `use`: breaks of the one convention (ARCHITECTURE.md,
/// "Server-only code"), as `file:line`.
fn scattered_server_items(file: &Path, items: &[syn::Item], out: &mut Vec<String>) {
    for item in items {
        let (attrs, line) = match item {
            syn::Item::Mod(m) => {
                if let Some((_, inner)) = &m.content {
                    // A server-only module may hold anything; others are read in turn.
                    if !is_server_only(&m.attrs) {
                        scattered_server_items(file, inner, out);
                    }
                }
                continue;
            }
            syn::Item::Use(_) => continue,
            syn::Item::Fn(f) => (&f.attrs, f.sig.ident.span().start().line),
            syn::Item::Struct(s) => (&s.attrs, s.ident.span().start().line),
            syn::Item::Enum(e) => (&e.attrs, e.ident.span().start().line),
            syn::Item::Impl(i) => (&i.attrs, i.impl_token.span.start().line),
            syn::Item::Const(c) => (&c.attrs, c.ident.span().start().line),
            syn::Item::Static(s) => (&s.attrs, s.ident.span().start().line),
            syn::Item::Type(t) => (&t.attrs, t.ident.span().start().line),
            syn::Item::Trait(t) => (&t.attrs, t.ident.span().start().line),
            _ => continue,
        };
        if is_server_only(attrs) {
            out.push(format!("{}:{line}", file.display()));
        }
    }
}

#[test]
fn features_keep_server_only_code_in_whole_modules() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let features = LAYERS.iter().find(|layer| layer.contains(&"accounts")).expect("the features' layer");
    let mut files = Vec::new();
    for feature in *features {
        rust_files(&src.join(feature), &mut files);
    }
    assert!(files.len() > 10, "the feature modules were not found under {}", src.display());
    let mut found = Vec::new();
    for file in &files {
        let text = fs::read_to_string(file).expect("a source file is readable");
        let syntax = syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        scattered_server_items(file.strip_prefix(&src).unwrap_or(file), &syntax.items, &mut found);
    }
    assert!(
        found.is_empty(),
        "server-only items outside a server-only module (put them in the feature's `ssr` module): {}",
        found.join(", ")
    );
}

#[test]
fn the_convention_check_finds_a_scattered_server_item() {
    let syntax: syn::File = syn::parse_str(
        "#[cfg(feature = \"ssr\")] use a::b;\n\
         #[cfg(feature = \"ssr\")] mod ssr { pub fn fine() {} }\n\
         #[cfg(all(test, feature = \"ssr\"))] mod tests { fn also_fine() {} }\n\
         mod inner {\n#[cfg(feature = \"ssr\")]\nfn scattered() {}\n}\n\
         #[cfg(feature = \"ssr\")]\nstruct Scattered;",
    )
    .expect("parses");
    let mut found = Vec::new();
    scattered_server_items(Path::new("x.rs"), &syntax.items, &mut found);
    assert_eq!(found, ["x.rs:6", "x.rs:9"]);
}
