//! Files that leave the machine encrypted with age (`age-encryption.org/v1`, which the `age` and
//! `rage` tools read): to a passphrase (age's scrypt recipient) or to public keys (`age1…`). A
//! backup carries the victims' narratives: on a USB stick or a lost laptop, it is ciphertext.

use std::fs::File;
use std::io::{BufRead, BufReader, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

use age::secrecy::SecretString;
use anyhow::{Context, Result, bail};

/// How a file written by the CLI is encrypted (`--encrypt`, `--recipient`).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct SealArgs {
    /// Encrypt with a passphrase (age's scrypt), asked in a terminal or read from the first
    /// line of standard input.
    #[arg(long)]
    pub encrypt: bool,
    /// Encrypt for this age public key (`age1…`) instead; repeat for several readers.
    #[arg(long, value_name = "AGE1…", conflicts_with = "encrypt")]
    pub recipient: Vec<String>,
}

/// What the age format's files start with.
const MAGIC: &[u8] = b"age-encryption.org/v1";

impl SealArgs {
    /// Whether any encryption is asked.
    pub fn is_set(&self) -> bool {
        self.encrypt || !self.recipient.is_empty()
    }

    fn encryptor(&self) -> Result<Option<age::Encryptor>> {
        if self.encrypt {
            return Ok(Some(age::Encryptor::with_user_passphrase(passphrase(true)?)));
        }
        if self.recipient.is_empty() {
            return Ok(None);
        }
        let recipients = self
            .recipient
            .iter()
            .map(|r| r.parse::<age::x25519::Recipient>().map_err(|e| anyhow::anyhow!("--recipient {r}: {e}")))
            .collect::<Result<Vec<_>>>()?;
        let encryptor = age::Encryptor::with_recipients(recipients.iter().map(|r| r as &dyn age::Recipient))
            .context("encrypting for the recipients")?;
        Ok(Some(encryptor))
    }

    /// Writes `file` through `write`, encrypted as asked: beside it first, then renamed, so a
    /// failure never leaves a partial file in its place.
    pub fn write(&self, file: &Path, write: impl FnOnce(&mut dyn Write) -> Result<()>) -> Result<()> {
        let encryptor = self.encryptor()?;
        let partial = file.with_extension("partial");
        let out = File::create(&partial).with_context(|| format!("cannot write {}", partial.display()))?;
        let mut out = std::io::BufWriter::new(out);
        let written = match encryptor {
            None => write(&mut out),
            Some(encryptor) => {
                let mut sealed = encryptor.wrap_output(&mut out).context("encrypting")?;
                write(&mut sealed).and_then(|()| sealed.finish().map(|_| ()).context("encrypting"))
            }
        };
        let flushed = written.and_then(|()| out.flush().with_context(|| format!("writing {}", file.display())));
        if let Err(e) = flushed {
            let _ = std::fs::remove_file(&partial);
            return Err(e);
        }
        std::fs::rename(&partial, file).with_context(|| format!("cannot write {}", file.display()))
    }
}

/// A passphrase: in a terminal, asked (twice when it encrypts); otherwise standard input's
/// first line.
fn passphrase(new: bool) -> Result<SecretString> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        let typed = rpassword::prompt_password("passphrase: ").context("reading the passphrase")?;
        if new && rpassword::prompt_password("the same again: ").context("reading the passphrase")? != typed {
            bail!("the two passphrases differ");
        }
        if typed.is_empty() {
            bail!("an empty passphrase protects nothing");
        }
        return Ok(SecretString::from(typed));
    }
    let mut line = String::new();
    stdin.lock().read_line(&mut line).context("reading the passphrase from standard input")?;
    let line = line.trim_end_matches(['\n', '\r']).to_owned();
    if line.is_empty() {
        bail!("no passphrase on standard input: pipe one in, or run in a terminal");
    }
    Ok(SecretString::from(line))
}

/// `file` to read, decrypted when it is an age file: with the passphrase (asked, or read from
/// standard input) or with the keys of `identity` (an age identity file).
pub fn open(file: &Path, identity: Option<&PathBuf>) -> Result<Box<dyn Read>> {
    let input = File::open(file).with_context(|| format!("cannot read {}", file.display()))?;
    let mut input = BufReader::new(input);
    let sealed = input.fill_buf().with_context(|| format!("cannot read {}", file.display()))?.starts_with(MAGIC);
    if !sealed {
        if identity.is_some() {
            bail!("{} is not encrypted: --identity is for an age file", file.display());
        }
        return Ok(Box::new(input));
    }
    let decryptor =
        age::Decryptor::new_buffered(input).with_context(|| format!("{}: not a readable age file", file.display()))?;
    let reader = if decryptor.is_scrypt() {
        if identity.is_some() {
            bail!("{} is encrypted with a passphrase, not for a key: leave out --identity", file.display());
        }
        let key = age::scrypt::Identity::new(passphrase(false)?);
        decryptor.decrypt(std::iter::once(&key as &dyn age::Identity))
    } else {
        let Some(path) = identity else {
            bail!("{} is encrypted for age keys: give the key file with --identity", file.display());
        };
        let keys = age::IdentityFile::from_file(path.display().to_string())
            .with_context(|| format!("cannot read the identity file {}", path.display()))?
            .into_identities()
            .with_context(|| format!("{}: not an age identity file", path.display()))?;
        decryptor.decrypt(keys.iter().map(|k| k.as_ref() as &dyn age::Identity))
    };
    let reader = reader.map_err(|e| anyhow::anyhow!("cannot decrypt {}: {e}", file.display()))?;
    Ok(Box::new(reader))
}
