//! `vigie user`, `vigie organisation`, `vigie token`: the accounts of a shared Vigie, managed on
//! its machine. Every change is in the audit log, by `cli`.

use std::io::{IsTerminal, Read, Write};

use anyhow::{Context, Result, bail};
use vigie_store::Store;
use vigie_store::accounts::{Actor, Role, User, generate_password, generate_token, hash_password, token_hash};

use crate::cli::{DeviceAction, OrganisationAction, TokenAction, UserAction};

pub fn user(store: &mut dyn Store, action: UserAction) -> Result<()> {
    let actor = Actor::cli();
    match action {
        UserAction::Add { name, role, organisation } => {
            let role = Role::parse(&role).with_context(|| {
                let roles: Vec<&str> = Role::ALL.iter().map(|r| r.name()).collect();
                format!("`{role}` is no role: one of {}", roles.join(", "))
            })?;
            let password = read_password(&name)?;
            let user = User { name, role, organization: organisation, disabled: false, created_at: String::new() };
            store.add_user(&user, &hash_password(&password)?, &actor)?;
            println!(
                "added user {} ({}{})",
                user.name,
                role.name(),
                user.organization.map(|o| format!(", {o}")).unwrap_or_default()
            );
        }
        UserAction::List => {
            let mut out = std::io::stdout().lock();
            for u in store.users()? {
                let state = if u.disabled { "  (disabled)" } else { "" };
                writeln!(
                    out,
                    "{:<24} {:<10} {:<12} {}{state}",
                    u.name,
                    u.role.name(),
                    u.organization.as_deref().unwrap_or("-"),
                    u.created_at
                )?;
            }
        }
        UserAction::Disable { name } => {
            if !store.set_user_disabled(&name, true, &actor)? {
                bail!("no user {name}");
            }
            println!("disabled user {name}");
        }
        UserAction::EndSessions { name } => {
            if store.user_for_login(&name)?.is_none() {
                bail!("no user {name}");
            }
            let ended = store.end_sessions(&name, &actor)?;
            println!("ended {ended} session(s) of {name}");
        }
        UserAction::ResetPassword { name } => {
            if store.user_for_login(&name)?.is_none() {
                bail!("no user {name}");
            }
            let password = read_password(&name)?;
            store.set_password(&name, &hash_password(&password)?, &actor)?;
            println!("new password set for {name}");
        }
    }
    Ok(())
}

pub fn organisation(store: &mut dyn Store, action: OrganisationAction) -> Result<()> {
    match action {
        OrganisationAction::Add { code, name } => {
            store.add_organization(&code, name.as_deref(), &Actor::cli())?;
            println!("added organisation {code}");
        }
        OrganisationAction::List => {
            let mut out = std::io::stdout().lock();
            for o in store.organizations()? {
                writeln!(out, "{:<16} {:>9} violations  {}", o.code, o.violations, o.name.as_deref().unwrap_or(""))?;
            }
        }
    }
    Ok(())
}

pub fn token(store: &mut dyn Store, action: TokenAction) -> Result<()> {
    store.purge_expired()?;
    match action {
        TokenAction::Create { user, expires_days } => {
            let token = generate_token()?;
            let expires = chrono::Utc::now() + chrono::Duration::days(i64::from(expires_days));
            let expires = expires.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
            let Some(id) = store.add_token(&user, &token_hash(&token), &expires, &Actor::cli())? else {
                bail!("no user {user}");
            };
            // The token itself, once: only its hash is kept.
            println!("{token}");
            eprintln!("token {id} of {user}, until {expires}");
        }
        TokenAction::List { user } => {
            for t in store.tokens(user.as_deref())? {
                let used = t.last_used_at.as_deref().unwrap_or("never used");
                println!("{}\t{}\tcreated {}\texpires {}\t{used}", t.id, t.user, t.created_at, t.expires_at);
            }
        }
        TokenAction::Revoke { id } => {
            if !store.revoke_token(id, &Actor::cli())? {
                bail!("no token {id}: `vigie token list` shows them");
            }
            println!("revoked token {id}");
        }
    }
    Ok(())
}

/// The password from standard input (its first line). In a terminal it is asked for without
/// echo, and an empty answer gets a generated password, printed once.
fn read_password(name: &str) -> Result<String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        let typed = rpassword::prompt_password(format!("password for {name} (empty: generate one): "))
            .context("reading the password")?;
        if typed.is_empty() {
            let generated = generate_password()?;
            println!("generated password for {name}: {generated}");
            return Ok(generated);
        }
        return Ok(typed);
    }
    let mut text = String::new();
    stdin.lock().read_to_string(&mut text).context("reading the password from standard input")?;
    let password = text.lines().next().unwrap_or("").to_owned();
    if password.is_empty() {
        bail!("no password on standard input: pipe one in, or run in a terminal to get a generated one");
    }
    Ok(password)
}

/// `vigie device`: the keys ODK Collect submits with, each bound to an organisation.
pub fn device(store: &mut dyn Store, action: DeviceAction) -> Result<()> {
    match action {
        DeviceAction::Add { name, organisation } => {
            let key = generate_token()?;
            store.add_device(&name, &organisation, &token_hash(&key), &Actor::cli())?;
            // The key itself, once: only its hash is kept.
            println!("{key}");
            eprintln!("device {name} of {organisation}: ODK Collect's server URL is https://SERVER/openrosa/{key}");
        }
        DeviceAction::List => {
            for d in store.devices()? {
                let revoked = d.revoked_at.map_or_else(|| "active".to_owned(), |at| format!("revoked {at}"));
                println!("{}\t{}\tadded {}\t{revoked}", d.name, d.organization, d.created_at);
            }
        }
        DeviceAction::Revoke { name } => {
            if !store.revoke_device(&name, &Actor::cli())? {
                bail!("no active device {name}: `vigie device list` shows them");
            }
            println!("revoked device {name}");
        }
    }
    Ok(())
}
