//! Recovery codes (issue 41): `/recovery-codes`, which shows a new set
//! once (after sign-up, or after "Make new recovery codes"), `/recover`
//! ("Forgot password?": a username, a code and a new password), and the
//! profile's card with the codes left. The two pages are [plain
//! pages](super::is_plain_page): plain forms and a plain link, with
//! [`COPY_CODES_SCRIPT`] for "Copy codes" until a page's code runs.

use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_query_map};

use super::{account_sessions::AccountControls, form_error, ErrorPage};
use crate::{
    error::AppError,
    accounts::recovery::{recovery_codes_to_show, RecoveryCodesSaved, RECOVERY_CODES_FILE_PATH},
    i18n::{plural_string, td_string, use_locale},
    limits::{PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS, RECOVERY_CODE_CHARS, USERNAME_MAX_CHARS},
};

/// The id of the list of codes, which "Copy codes" copies.
const CODES_LIST_ID: &str = "recovery-codes";

/// For the plain `/recovery-codes` page: "Copy codes" (a button with
/// `data-copy`, naming the element whose text it copies) copies to the
/// clipboard and says so with its `data-copied` text.
pub const COPY_CODES_SCRIPT: &str = "document.addEventListener('click',function(e){\
var b=e.target.closest&&e.target.closest('button[data-copy]');if(!b||!navigator.clipboard)return;\
var l=document.getElementById(b.getAttribute('data-copy'));if(!l)return;\
navigator.clipboard.writeText(l.innerText.trim()).then(function(){b.textContent=b.getAttribute('data-copied')})})";

/// `/recovery-codes?next=…`: the new set of codes, with "Copy codes",
/// "Download as a text file" and "I saved them, continue" (to `next`).
#[component]
pub fn RecoveryCodesPage() -> impl IntoView {
    let codes = Resource::new(|| (), |_| recovery_codes_to_show());
    let saved = ServerAction::<RecoveryCodesSaved>::new();
    let query = use_query_map();
    let next = Memo::new(move |_| query.read().get("next").unwrap_or_default());
    let locale = use_locale();
    view! {
        <super::PageTitle text=td_string!(locale, recovery.codes_title) />
        <Suspense fallback=move || view! { <p class="muted">{td_string!(locale, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match codes.await {
                    Ok(Some(codes)) => view! { <CodesCard codes next=next.get_untracked() saved /> }.into_any(),
                    Ok(None) => view! {
                        <section class="card narrow">
                            <h1>{td_string!(locale, recovery.codes_title)}</h1>
                            <p>{td_string!(locale, recovery.none_to_show)}</p>
                            <p><a href="/profile">{td_string!(locale, recovery.to_profile)}</a></p>
                        </section>
                    }
                    .into_any(),
                    Err(error) => view! { <ErrorPage error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn CodesCard(codes: Vec<String>, next: String, saved: ServerAction<RecoveryCodesSaved>) -> impl IntoView {
    let locale = use_locale();
    let copied = RwSignal::new(false);
    let text = codes.join("\n");
    let copy = move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(window) = web_sys::window() {
            let _ = window.navigator().clipboard().write_text(&text);
            copied.set(true);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = &text;
    };
    view! {
        <section class="card narrow" aria-labelledby="codes-title">
            <h1 id="codes-title">{td_string!(locale, recovery.codes_title)}</h1>
            <p>{td_string!(locale, recovery.codes_intro)}</p>
            <ol id=CODES_LIST_ID class="codes" aria-label=td_string!(locale, recovery.codes_list)>
                {codes.into_iter().map(|code| view! { <li><code>{code}</code></li> }).collect_view()}
            </ol>
            <p class="muted">{td_string!(locale, recovery.codes_keep)}</p>
            <div class="row">
                <button type="button" data-copy=CODES_LIST_ID data-copied=td_string!(locale, common.copied) on:click=copy>
                    {move || if copied.get() { td_string!(locale, common.copied) } else { td_string!(locale, recovery.copy_codes) }}
                </button>
                <a href=RECOVERY_CODES_FILE_PATH download="">{td_string!(locale, recovery.download_codes)}</a>
            </div>
            <ActionForm action=saved>
                <input type="hidden" name="next" value=next />
                <button type="submit" class="primary">{td_string!(locale, recovery.saved_continue)}</button>
            </ActionForm>
        </section>
    }
}

/// `/recover`: "Forgot password?". A username, one recovery code and a new
/// password; done, every session of the account ends and this browser is
/// logged in, on the profile.
#[component]
pub fn RecoverPage() -> impl IntoView {
    // The session's action: once it succeeds, the header reads who is
    // logged in again (a page that came without a reload would go on
    // showing "Log in" otherwise).
    let recover = expect_context::<super::Session>().recover;
    let error = form_error(recover.value(), "recover_account");
    let locale = use_locale();
    view! {
        <super::PageTitle text=td_string!(locale, recovery.recover_title) />
        <section class="card narrow">
            <h1>{td_string!(locale, recovery.recover_title)}</h1>
            <p class="muted">{td_string!(locale, recovery.recover_intro)}</p>
            <ActionForm action=recover>
                <label for="username">{td_string!(locale, auth.username)}</label>
                <input id="username" name="username" required autocomplete="username" maxlength=USERNAME_MAX_CHARS />
                <label for="recovery-code">{td_string!(locale, recovery.code)}</label>
                <input id="recovery-code" name="code" required autocomplete="one-time-code" autocapitalize="none"
                    spellcheck="false" maxlength=(RECOVERY_CODE_CHARS * 2).to_string() aria-describedby="recovery-code-hint" />
                <p class="hint" id="recovery-code-hint">{td_string!(locale, recovery.code_hint)}</p>
                <label for="new-password">{td_string!(locale, account.new_password)}</label>
                <input id="new-password" name="new_password" type="password" required autocomplete="new-password"
                    minlength=PASSWORD_MIN_CHARS maxlength=PASSWORD_MAX_CHARS />
                <p role="alert" class="error">{error}</p>
                <button type="submit" class="primary" disabled=move || recover.pending().try_get().unwrap_or(false)>
                    {td_string!(locale, recovery.set_password)}
                </button>
            </ActionForm>
            <p><A href="/login">{td_string!(locale, auth.log_in)}</A></p>
        </section>
        <super::email::ResetByEmail />
    }
}

/// The profile's "Recovery codes": how many are left, and "Make new
/// recovery codes" with the password (the new set is shown on
/// `/recovery-codes`, and the old one stops working).
#[component]
pub fn RecoveryCodesCard(controls: AccountControls, left: Result<u32, AppError>) -> impl IntoView {
    let locale = use_locale();
    let make = controls.new_codes;
    let left = match left {
        Ok(left) => view! {
            <p data-codes-left=left.to_string()>{plural_string!(locale, recovery.left, count = left)}</p>
            {(left == 0).then(|| view! { <p class="error">{td_string!(locale, recovery.no_codes_left)}</p> })}
        }
        .into_any(),
        Err(err) => view! { <p role="alert" class="error">{err.message(locale)}</p> }.into_any(),
    };
    view! {
        <section class="card" aria-labelledby="recovery-title">
            <h2 id="recovery-title">{td_string!(locale, recovery.section_title)}</h2>
            {left}
            <ActionForm action=make>
                <p class="muted">{td_string!(locale, recovery.make_new_hint)}</p>
                <label for="codes-password">{td_string!(locale, recovery.password_to_confirm)}</label>
                <input id="codes-password" type="password" name="password" autocomplete="current-password" required />
                <button type="submit" disabled=move || make.pending().try_get().unwrap_or(false)>{td_string!(locale, recovery.make_new)}</button>
                <p role="alert" class="error">{controls.new_codes_error}</p>
            </ActionForm>
        </section>
    }
}
