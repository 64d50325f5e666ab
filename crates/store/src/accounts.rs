//! Who may use a shared Vigie: users with one role each (a partner bound to its organisation),
//! their secrets (argon2id password hashes, bearer tokens kept only as SHA-256 hashes), and how
//! a command names the actor of what it writes in the audit log.

use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};
use sha2::{Digest, Sha256};

use crate::{Result, StoreError};

pub use vigie_core::Role;

/// How many commits of this process changed who may do what (a session ended, a token revoked,
/// a user disabled, a password reset, public access switched): a cache of sessions and tokens
/// keyed by it drops what such a commit made stale. Other processes' commits reach it through
/// [`crate::Shared::access_tag`].
static ACCESS_CHANGES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// See [`ACCESS_CHANGES`].
pub fn access_changes() -> u64 {
    ACCESS_CHANGES.load(std::sync::atomic::Ordering::Acquire)
}

/// Counts a committed change of access; called after the commit, so that an answer read before
/// it is tagged with the count before.
pub(crate) fn access_changed() {
    ACCESS_CHANGES.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
}

/// A user as stored, without secrets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub name: String,
    pub role: Role,
    /// The organisation a partner belongs to (and whose records it sees).
    pub organization: Option<String>,
    pub disabled: bool,
    pub created_at: String,
}

/// A login session: the hash of its cookie value, its user, its CSRF token, when it expires
/// (RFC 3339, UTC).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub hash: String,
    pub user: String,
    pub csrf: String,
    pub expires_at: String,
}

/// A bearer token as listed (its secret is never stored: only its hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub id: u64,
    pub user: String,
    pub created_at: String,
    pub expires_at: String,
    pub last_used_at: Option<String>,
}

/// A partner organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organization {
    pub code: String,
    pub name: Option<String>,
    /// How many violations it has stored.
    pub violations: u64,
}

/// A monitor's phone or tablet, submitting with a key bound to its organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    pub name: String,
    pub organization: String,
    pub created_at: String,
    pub revoked_at: Option<String>,
}

/// A submission from ODK Collect as received, and what became of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    /// `uuid:…`, as Collect names it.
    pub instance_id: String,
    /// The first submission of its chain of edits: whose violations it replaces.
    pub root_id: String,
    pub device: String,
    pub organization: String,
    /// RFC 3339, UTC (set when kept).
    pub received_at: String,
    pub sha256: String,
    pub xml: String,
    /// `imported`, `needs_attention` or `replaced`.
    pub status: String,
    /// Why it needs attention.
    pub errors: Option<String>,
}

/// Who a write is made by, and from where, for the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// A user's name, or `cli` for the command line on the server's own machine.
    pub name: String,
    /// The client's address, for requests.
    pub client: Option<String>,
}

impl Actor {
    /// The command line: whoever may run `vigie` on the database's machine.
    pub fn cli() -> Actor {
        Actor { name: "cli".into(), client: None }
    }
}

/// A new organisation's code, as both stores require it.
pub(crate) fn check_organization_code(code: &str) -> crate::Result<()> {
    if vigie_core::records::is_organization_code(code) {
        return Ok(());
    }
    Err(crate::StoreError::Conflict(format!(
        "`{code}` is no organisation code: letters, digits, '-', '_' or '.', at most 32 characters"
    )))
}

/// A new user's name and role, as both stores require them (the organisation's existence is
/// checked in the user's write).
pub(crate) fn check_new_user(user: &User) -> crate::Result<()> {
    if !is_user_name(&user.name) {
        return Err(crate::StoreError::Conflict(format!(
            "`{}` is no user name: 1 to 64 letters, digits, '.', '_', '-' or '@'",
            user.name
        )));
    }
    if user.role == Role::Partner && user.organization.is_none() {
        return Err(crate::StoreError::Conflict("a partner belongs to an organisation: give --organisation".into()));
    }
    Ok(())
}

/// The shortest password accepted.
pub const MIN_PASSWORD: usize = 10;

/// An argon2id hash of `password` (the PHC string: algorithm, parameters, salt and hash).
pub fn hash_password(password: &str) -> Result<String> {
    if password.chars().count() < MIN_PASSWORD {
        return Err(StoreError::Conflict(format!("a password needs at least {MIN_PASSWORD} characters")));
    }
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|e| StoreError::Unsupported(format!("hashing a password: {e}")))
}

/// Whether `password` is the one `hash` was made from.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
}

/// `n` random characters from an alphabet without look-alikes (no 0/O, 1/l/I).
fn random_text(n: usize) -> Result<String> {
    const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = vec![0u8; n];
    getrandom::fill(&mut bytes).map_err(|e| StoreError::Unsupported(format!("no randomness: {e}")))?;
    // 256 is not a multiple of 57: the bias (at most 1 in 57) does not matter for 20+ characters.
    Ok(bytes.iter().map(|b| char::from(ALPHABET[*b as usize % ALPHABET.len()])).collect())
}

/// A new password for a person to type: 20 characters (about 116 bits).
pub fn generate_password() -> Result<String> {
    random_text(20)
}

/// A new bearer token for scripts: `vigie_` and 40 characters (about 233 bits). Only
/// [`token_hash`] of it is stored.
pub fn generate_token() -> Result<String> {
    Ok(format!("vigie_{}", random_text(40)?))
}

/// What the store keeps of a token: its SHA-256, in hex. A token is random and long, so a fast
/// hash suffices (unlike a password).
pub fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// A user name: 1 to 64 letters, digits, `.`, `_`, `-` or `@`.
pub fn is_user_name(name: &str) -> bool {
    (1..=64).contains(&name.len()) && name.chars().all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_argon2id_hashes_that_verify_only_their_password() {
        let hash = hash_password("correct horse battery").expect("hash");
        assert!(hash.starts_with("$argon2id$v=19$"), "{hash}");
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("correct horse batterY", &hash));
        assert!(!verify_password("anything", "not a hash"));
        assert_ne!(hash, hash_password("correct horse battery").expect("hash"), "salted");
        assert!(hash_password("short").is_err());
    }

    #[test]
    fn generated_secrets_are_long_random_and_tokens_are_stored_hashed() {
        let (a, b) = (generate_password().expect("password"), generate_password().expect("password"));
        assert_eq!(a.len(), 20);
        assert_ne!(a, b);
        let token = generate_token().expect("token");
        assert!(token.starts_with("vigie_") && token.len() == 46);
        assert_eq!(token_hash(&token).len(), 64);
        assert_ne!(token_hash(&token), token);
        assert_eq!(Role::parse("im_officer"), Some(Role::ImOfficer));
        assert!(is_user_name("a.diallo@drc") && !is_user_name("two words") && !is_user_name(""));
    }
}
