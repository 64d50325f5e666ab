//! Accounts, organisations, sessions, tokens, sign-in attempts and settings, on either database
//! (`sql.rs`).

use crate::accounts::{Actor, Device, Organization, Role, Session, Token, User};
use crate::entity::now;
use crate::sql::{Row, Sql, args, audit};
use crate::{Result, StoreError};

const USER: &str = "u.name, u.role, u.organization, u.disabled, u.created_at";
const TOKEN: &str = "t.token_id, u.name, t.created_at, t.expires_at, t.last_used_at";
const TOKENS: &str = "tokens t JOIN users u ON u.user_id = t.user_id";

/// A user from the five columns of [`USER`].
fn user(r: &Row) -> Result<User> {
    let role: String = r.get(1)?;
    Ok(User {
        name: r.get(0)?,
        // The schema's CHECK allows only the four names.
        role: Role::parse(&role).unwrap_or(Role::Viewer),
        organization: r.get(2)?,
        disabled: r.get(3)?,
        created_at: r.get(4)?,
    })
}

/// A token from the five columns of [`TOKEN`], from `first` on.
fn token(r: &Row, first: usize) -> Result<Token> {
    Ok(Token {
        id: r.get::<Option<u64>>(first)?.unwrap_or(0),
        user: r.get(first + 1)?,
        created_at: r.get(first + 2)?,
        expires_at: r.get::<Option<String>>(first + 3)?.unwrap_or_default(),
        last_used_at: r.get(first + 4)?,
    })
}

pub(crate) fn add_organization(db: &mut dyn Sql, code: &str, name: Option<&str>, actor: &Actor) -> Result<()> {
    crate::accounts::check_organization_code(code)?;
    let added = db.execute(
        "adding an organisation",
        "INSERT INTO organizations (code, name) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        args![code, name],
    )?;
    if added == 0 {
        return Err(StoreError::Conflict(format!("organisation {code} exists already")));
    }
    audit(db, actor, "organization_add", "organizations", code, serde_json::json!({"name": name}))
}

pub(crate) fn organizations(db: &mut dyn Sql) -> Result<Vec<Organization>> {
    db.query(
        "reading organisations",
        "SELECT o.code, o.name, (SELECT COUNT(*) FROM violations v WHERE v.organization = o.code)
         FROM organizations o ORDER BY o.code",
        &[],
    )?
    .iter()
    .map(|r| Ok(Organization { code: r.get(0)?, name: r.get(1)?, violations: r.get(2)? }))
    .collect()
}

pub(crate) fn add_user(db: &mut dyn Sql, user: &User, password_hash: &str, actor: &Actor) -> Result<()> {
    crate::accounts::check_new_user(user)?;
    let what = "adding a user";
    if let Some(code) = &user.organization {
        let known = db.query(what, "SELECT 1 FROM organizations WHERE code = $1", args![code])?;
        if known.is_empty() {
            return Err(StoreError::Conflict(format!(
                "no organisation {code}: add it first (vigie organisation add {code})"
            )));
        }
    }
    let added = db.execute(
        what,
        "INSERT INTO users (name, role, organization, password_hash, created_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT DO NOTHING",
        args![&user.name, user.role.name(), user.organization.as_deref(), password_hash, now()],
    )?;
    if added == 0 {
        return Err(StoreError::Conflict(format!("user {} exists already", user.name)));
    }
    let new = serde_json::json!({"role": user.role.name(), "organization": user.organization});
    audit(db, actor, "user_add", "users", &user.name, new)
}

pub(crate) fn users(db: &mut dyn Sql) -> Result<Vec<User>> {
    db.query("reading users", &format!("SELECT {USER} FROM users u ORDER BY u.name"), &[])?.iter().map(user).collect()
}

pub(crate) fn user_for_login(db: &mut dyn Sql, name: &str) -> Result<Option<(User, String)>> {
    let sql = format!("SELECT {USER}, u.password_hash FROM users u WHERE u.name = $1");
    db.query("reading users", &sql, args![name])?.first().map(|r| Ok((user(r)?, r.get(5)?))).transpose()
}

/// Sets one column of a user's row and audits it (`false`: no such user). A changed password,
/// role or state ends the account's sessions.
pub(crate) fn change_user(
    db: &mut dyn Sql,
    name: &str,
    column: &str,
    value: crate::portable::Value,
    (actor, action, details): (&Actor, &str, serde_json::Value),
) -> Result<bool> {
    let changed = db.execute(
        "changing a user",
        &format!("UPDATE users SET {column} = $1 WHERE name = $2"),
        &[value, name.into()],
    )?;
    if changed == 0 {
        return Ok(false);
    }
    db.execute("ending sessions", END_SESSIONS, args![name])?;
    audit(db, actor, action, "users", name, details)?;
    Ok(true)
}

/// Ends every session of the user named `$1`.
const END_SESSIONS: &str = "DELETE FROM sessions WHERE user_id IN (SELECT user_id FROM users WHERE name = $1)";

/// Gives a user a token (the next id after the largest: the caller holds the write lock);
/// `None` when there is no such user.
pub(crate) fn add_token(
    db: &mut dyn Sql,
    name: &str,
    token_hash: &str,
    expires_at: &str,
    actor: &Actor,
) -> Result<Option<u64>> {
    let added = db.query(
        "adding a token",
        "INSERT INTO tokens (token_hash, user_id, created_at, token_id, expires_at)
         SELECT $1, user_id, $2, (SELECT COALESCE(MAX(token_id), 0) + 1 FROM tokens), $3 FROM users
         WHERE name = $4 RETURNING token_id",
        args![token_hash, now(), expires_at, name],
    )?;
    let Some(id) = added.first().map(|r| r.get::<u64>(0)).transpose()? else { return Ok(None) };
    let details = serde_json::json!({ "token": id, "expires_at": expires_at });
    audit(db, actor, "token_create", "users", name, details)?;
    Ok(Some(id))
}

pub(crate) fn touch_token(db: &mut dyn Sql, token_hash: &str) -> Result<()> {
    db.execute(
        "noting a token's use",
        "UPDATE tokens SET last_used_at = $1 WHERE token_hash = $2",
        args![now(), token_hash],
    )?;
    Ok(())
}

pub(crate) fn tokens(db: &mut dyn Sql, user: Option<&str>) -> Result<Vec<Token>> {
    let sql = format!("SELECT {TOKEN} FROM {TOKENS} WHERE CAST($1 AS TEXT) IS NULL OR u.name = $1 ORDER BY t.token_id");
    db.query("reading tokens", &sql, args![user])?.iter().map(|r| token(r, 0)).collect()
}

pub(crate) fn user_for_token(db: &mut dyn Sql, token_hash: &str) -> Result<Option<(User, Token)>> {
    let sql = format!(
        "SELECT {USER}, {TOKEN} FROM {TOKENS} WHERE t.token_hash = $1 AND NOT u.disabled AND t.expires_at > $2"
    );
    db.query("reading tokens", &sql, args![token_hash, now()])?
        .first()
        .map(|r| Ok((user(r)?, token(r, 5)?)))
        .transpose()
}

pub(crate) fn revoke_token(db: &mut dyn Sql, id: u64, actor: &Actor) -> Result<bool> {
    let revoked = db.query(
        "revoking a token",
        "DELETE FROM tokens WHERE token_id = $1 RETURNING (SELECT name FROM users WHERE users.user_id = tokens.user_id)",
        args![i64::try_from(id).unwrap_or(i64::MAX)],
    )?;
    let Some(user) = revoked.first().map(|r| r.get::<String>(0)).transpose()? else { return Ok(false) };
    audit(db, actor, "token_revoke", "users", &user, serde_json::json!({ "token": id }))?;
    Ok(true)
}

/// Deletes the expired sessions and tokens: how many of each.
pub(crate) fn purge_expired(db: &mut dyn Sql) -> Result<(u64, u64)> {
    let at = now();
    let sessions = db.execute("purging sessions", "DELETE FROM sessions WHERE expires_at <= $1", args![at.as_str()])?;
    let tokens = db.execute("purging tokens", "DELETE FROM tokens WHERE expires_at <= $1", args![at.as_str()])?;
    Ok((sessions, tokens))
}

/// Counts one more sign-in attempt under each key, in one statement each (parallel attempts
/// cannot read the same count): the most attempts of any key in its window.
pub(crate) fn count_attempt(db: &mut dyn Sql, keys: &[String], window_start: &str) -> Result<u64> {
    let mut most = 0;
    for key in keys {
        let counted = db.query(
            "counting a sign-in attempt",
            "INSERT INTO login_attempts (attempt_key, attempts, window_start) VALUES ($1, 1, $2)
             ON CONFLICT (attempt_key) DO UPDATE SET
                 attempts = CASE WHEN login_attempts.window_start < $3 THEN 1 ELSE login_attempts.attempts + 1 END,
                 window_start = CASE WHEN login_attempts.window_start < $3 THEN $2 ELSE login_attempts.window_start END
             RETURNING attempts",
            args![key, now(), window_start],
        )?;
        most = most.max(counted.first().map_or(Ok(0), |r| r.get::<u64>(0))?);
    }
    Ok(most)
}

/// A successful sign-in forgets the account's failures and gives the address its attempt back.
pub(crate) fn attempt_succeeded(db: &mut dyn Sql, account: &str, address: &str) -> Result<()> {
    let what = "forgetting sign-in attempts";
    db.execute(what, "DELETE FROM login_attempts WHERE attempt_key = $1", args![account])?;
    db.execute(
        what,
        "UPDATE login_attempts SET attempts = attempts - 1 WHERE attempt_key = $1 AND attempts > 0",
        args![address],
    )?;
    Ok(())
}

pub(crate) fn add_session(db: &mut dyn Sql, session: &Session) -> Result<()> {
    db.execute(
        "opening a session",
        "INSERT INTO sessions (session_hash, user_id, csrf, created_at, expires_at)
         SELECT $1, user_id, $2, $3, $4 FROM users WHERE name = $5 AND NOT disabled",
        args![&session.hash, &session.csrf, now(), &session.expires_at, &session.user],
    )?;
    Ok(())
}

pub(crate) fn session(db: &mut dyn Sql, hash: &str) -> Result<Option<(User, Session)>> {
    let sql = format!(
        "SELECT {USER}, s.csrf, s.expires_at FROM sessions s JOIN users u ON u.user_id = s.user_id
         WHERE s.session_hash = $1 AND NOT u.disabled"
    );
    db.query("reading sessions", &sql, args![hash])?
        .first()
        .map(|r| {
            let user = user(r)?;
            let session =
                Session { hash: hash.to_owned(), user: user.name.clone(), csrf: r.get(5)?, expires_at: r.get(6)? };
            Ok((user, session))
        })
        .transpose()
}

pub(crate) fn end_sessions(db: &mut dyn Sql, name: &str, actor: &Actor) -> Result<u64> {
    let ended = db.execute("ending sessions", END_SESSIONS, args![name])?;
    audit(db, actor, "sessions_end", "users", name, serde_json::json!({ "sessions": ended }))?;
    Ok(ended)
}

pub(crate) fn end_session(db: &mut dyn Sql, hash: &str) -> Result<()> {
    db.execute("closing a session", "DELETE FROM sessions WHERE session_hash = $1", args![hash])?;
    Ok(())
}

/// A setting's value.
pub(crate) fn setting(db: &mut dyn Sql, key: &str) -> Result<Option<String>> {
    db.query("reading settings", "SELECT value FROM settings WHERE key = $1", args![key])?
        .first()
        .map(|r| r.get(0))
        .transpose()
}

pub(crate) fn set_public_access(db: &mut dyn Sql, enabled: bool, actor: &Actor) -> Result<()> {
    let value = if enabled { "on" } else { "off" };
    db.execute(
        "changing settings",
        "INSERT INTO settings (key, value) VALUES ('public_access', $1)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        args![value],
    )?;
    audit(db, actor, "setting", "settings", "public_access", serde_json::json!({ "value": value }))
}

/// A device and its key's hash, bound to `organization` (which must exist); audited.
pub(crate) fn add_device(
    db: &mut dyn Sql,
    name: &str,
    organization: &str,
    key_hash: &str,
    actor: &Actor,
) -> Result<()> {
    if !crate::accounts::is_user_name(name) {
        return Err(StoreError::Conflict(format!(
            "`{name}`: a device's name is 1 to 64 letters, digits, `.`, `_`, `-` or `@`"
        )));
    }
    let known =
        db.query("reading organisations", "SELECT 1 FROM organizations WHERE code = $1", args![organization])?;
    if known.is_empty() {
        return Err(StoreError::NotFound(format!(
            "no organisation `{organization}`: add it first (`vigie organisation add`)"
        )));
    }
    let taken = db.query("reading devices", "SELECT 1 FROM devices WHERE name = $1", args![name])?;
    if !taken.is_empty() {
        return Err(StoreError::Conflict(format!("a device is called `{name}` already")));
    }
    db.execute(
        "adding a device",
        "INSERT INTO devices (name, organization, key_hash, created_at) VALUES ($1, $2, $3, $4)",
        args![name, organization, key_hash, now()],
    )?;
    audit(db, actor, "device_add", "devices", name, serde_json::json!({ "organization": organization }))
}

const DEVICE: &str = "name, organization, created_at, revoked_at";

fn device(r: &Row) -> Result<Device> {
    Ok(Device { name: r.get(0)?, organization: r.get(1)?, created_at: r.get(2)?, revoked_at: r.get(3)? })
}

pub(crate) fn devices(db: &mut dyn Sql) -> Result<Vec<Device>> {
    db.query("reading devices", &format!("SELECT {DEVICE} FROM devices ORDER BY name"), &[])?
        .iter()
        .map(device)
        .collect()
}

/// The device holding the key of this hash, unless revoked.
pub(crate) fn device_for_key(db: &mut dyn Sql, key_hash: &str) -> Result<Option<Device>> {
    let sql = format!("SELECT {DEVICE} FROM devices WHERE key_hash = $1 AND revoked_at IS NULL");
    db.query("reading devices", &sql, args![key_hash])?.first().map(device).transpose()
}

/// Revokes a device's key; audited. `false`: no such device, or revoked already.
pub(crate) fn revoke_device(db: &mut dyn Sql, name: &str, actor: &Actor) -> Result<bool> {
    let changed = db.execute(
        "revoking a device",
        "UPDATE devices SET revoked_at = $1 WHERE name = $2 AND revoked_at IS NULL",
        args![now(), name],
    )?;
    if changed > 0 {
        audit(db, actor, "device_revoke", "devices", name, serde_json::json!({}))?;
    }
    Ok(changed > 0)
}

const SUBMISSION: &str = "instance_id, root_id, device, organization, received_at, sha256, xml, status, errors";

fn submission_of(r: &Row) -> Result<crate::accounts::Submission> {
    Ok(crate::accounts::Submission {
        instance_id: r.get(0)?,
        root_id: r.get(1)?,
        device: r.get(2)?,
        organization: r.get(3)?,
        received_at: r.get(4)?,
        sha256: r.get(5)?,
        xml: r.get(6)?,
        status: r.get(7)?,
        errors: r.get(8)?,
    })
}

/// A submission already received.
pub(crate) fn submission(db: &mut dyn Sql, instance_id: &str) -> Result<Option<crate::accounts::Submission>> {
    let sql = format!("SELECT {SUBMISSION} FROM submissions WHERE instance_id = $1");
    db.query("reading submissions", &sql, args![instance_id])?.first().map(submission_of).transpose()
}

/// A submission needing attention made to count by a person's correction: its XML as corrected
/// (its checksum stays the received one's, so the phone sending it again changes nothing),
/// audited with each value changed, before and after.
pub(crate) fn correct_submission(
    db: &mut dyn Sql,
    instance_id: &str,
    xml: &str,
    changes: &serde_json::Value,
    actor: &Actor,
) -> Result<()> {
    let changed = db.execute(
        "correcting a submission",
        "UPDATE submissions SET xml = $1, status = 'imported', errors = NULL
         WHERE instance_id = $2 AND status = 'needs_attention'",
        args![xml, instance_id],
    )?;
    if changed == 0 {
        return Err(StoreError::Conflict(format!("{instance_id} needs no correction (any more)")));
    }
    audit(db, actor, "submission_correct", "submissions", instance_id, changes.clone())
}

/// Keeps a submission as received with what became of it; the one it edits (`replaces`) is
/// marked replaced.
pub(crate) fn keep_submission(db: &mut dyn Sql, s: &crate::accounts::Submission, replaces: Option<&str>) -> Result<()> {
    db.execute(
        "keeping a submission",
        "INSERT INTO submissions (instance_id, root_id, device, organization, received_at, sha256, xml, status, errors)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        args![
            &s.instance_id,
            &s.root_id,
            &s.device,
            &s.organization,
            now(),
            &s.sha256,
            &s.xml,
            &s.status,
            s.errors.as_deref()
        ],
    )?;
    if let Some(old) = replaces {
        db.execute(
            "keeping a submission",
            "UPDATE submissions SET status = 'replaced' WHERE instance_id = $1",
            args![old],
        )?;
    }
    Ok(())
}

/// The submissions needing attention, newest first, of one organisation or all.
pub(crate) fn submissions_needing_attention(
    db: &mut dyn Sql,
    organization: Option<&str>,
) -> Result<Vec<crate::accounts::Submission>> {
    let sql = format!(
        "SELECT {SUBMISSION} FROM submissions
         WHERE status = 'needs_attention' AND (CAST($1 AS TEXT) IS NULL OR organization = $1) ORDER BY received_at DESC"
    );
    db.query("reading submissions", &sql, args![organization])?.iter().map(submission_of).collect()
}
