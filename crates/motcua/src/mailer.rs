//! The mail worker (issue 5 item 15): delivers the outbox's e-mail messages over SMTP.
//!
//! A small SMTP client of our own over a tokio `TcpStream` (RFC 5321: EHLO or HELO, optional
//! AUTH PLAIN, MAIL FROM, RCPT TO, DATA, QUIT), so the binary pulls no TLS stack. It is meant
//! for a relay on the same host or private network (Postfix, OpenSMTPD, the province's mail
//! gateway) that carries the mail on with TLS; credentials, if set, cross that link in clear.
//!
//! Each round ([`Mailer::run_once`]) claims due messages from the store (a claim lease makes a
//! message taken by a worker that died be taken again), sends each, and records the attempt:
//! sent; failed for now, retried after an exponential backoff ([`backoff`]); or failed for good
//! — refused with a 5xx reply to the recipient or the message, an impossible address, or the
//! maximum of attempts reached. Time is a parameter of `run_once`; only [`Mailer::spawn`] reads
//! the clock.
//!
//! The message is UTF-8 plain text, base64 encoded, with the subject and the recipient's name
//! as RFC 2047 encoded words; its `Message-ID` comes from the outbox idempotency key, so a
//! message sent twice (a crash between the server's "250" and our record) can be recognised.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use chrono::{DateTime, Utc};
use motcua_store::outbox::{self, MAIL_TOPIC, MailPayload, OutboxRow, Outcome};
use motcua_store::{Store, StoreError};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};

/// Longest wait between two attempts of a message.
pub const MAX_BACKOFF: Duration = Duration::from_secs(6 * 3600);
/// How often the worker looks for due messages.
pub const POLL: Duration = Duration::from_secs(10);
/// Messages taken per round.
const BATCH: i64 = 20;

/// SMTP settings (`smtp_*` keys of `motcua.toml` / `MOTCUA_SMTP_*`).
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    /// Envelope and `From:` address.
    pub from: String,
    pub username: Option<String>,
    pub password: Option<String>,
    /// Connect and per-reply timeout.
    pub timeout: Duration,
    /// Attempts before a message is given up.
    pub max_attempts: u32,
    /// Wait after the first failed attempt; doubled after each further one, at most
    /// [`MAX_BACKOFF`].
    pub retry_base: Duration,
}

impl std::fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("from", &self.from)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .field("timeout", &self.timeout)
            .field("max_attempts", &self.max_attempts)
            .field("retry_base", &self.retry_base)
            .finish()
    }
}

impl SmtpConfig {
    /// Defaults for a server: port 25, 30 s timeout, 8 attempts, first retry after a minute.
    pub fn new(host: impl Into<String>, from: impl Into<String>) -> SmtpConfig {
        SmtpConfig {
            host: host.into(),
            port: 25,
            from: from.into(),
            username: None,
            password: None,
            timeout: Duration::from_secs(30),
            max_attempts: 8,
            retry_base: Duration::from_secs(60),
        }
    }

    /// The name we greet with: the domain of the sender address.
    fn helo_name(&self) -> &str {
        self.from
            .rsplit_once('@')
            .map(|(_, d)| d)
            .filter(|d| !d.is_empty())
            .unwrap_or("localhost")
    }
}

/// Wait before the attempt after attempt number `attempt` (1-based): `base · 2^(attempt−1)`,
/// at most `cap`.
pub fn backoff(attempt: i64, base: Duration, cap: Duration) -> Duration {
    let exp = u32::try_from(attempt.saturating_sub(1).max(0))
        .unwrap_or(u32::MAX)
        .min(30);
    base.saturating_mul(1u32 << exp).min(cap)
}

// ------------------------------------------------------------------------------- the message

/// An address usable in an SMTP command and a header: one `@`, no spaces, brackets or line
/// breaks.
pub fn address_ok(a: &str) -> bool {
    let parts: Vec<&str> = a.split('@').collect();
    parts.len() == 2
        && !parts[0].is_empty()
        && parts[1].contains('.')
        && !a
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"' | ',' | ';' | '\\'))
}

/// RFC 2047 encoded words (`=?UTF-8?B?…?=`), each at most 75 characters and split on
/// character boundaries, folded onto continuation lines.
pub fn encode_words(s: &str) -> String {
    if s.bytes().all(|b| (0x20..0x7f).contains(&b)) && s.len() <= 60 && !s.contains("=?") {
        return s.to_owned();
    }
    // 45 bytes of UTF-8 become 60 base64 characters: 12 + 60 = 72 ≤ 75.
    let mut words = Vec::new();
    let mut chunk = String::new();
    for c in s.chars() {
        if chunk.len() + c.len_utf8() > 45 {
            words.push(format!("=?UTF-8?B?{}?=", B64.encode(chunk.as_bytes())));
            chunk.clear();
        }
        chunk.push(c);
    }
    if !chunk.is_empty() {
        words.push(format!("=?UTF-8?B?{}?=", B64.encode(chunk.as_bytes())));
    }
    words.join("\r\n ")
}

/// The whole message (headers and base64 body), CRLF line ends, before dot-stuffing.
pub fn build_message(from: &str, mail: &MailPayload, message_id: &str, date: DateTime<Utc>) -> String {
    let to = if mail.to_name.trim().is_empty() {
        format!("<{}>", mail.to)
    } else {
        format!("{} <{}>", encode_words(mail.to_name.trim()), mail.to)
    };
    let encoded = B64.encode(mail.body.replace("\r\n", "\n").replace('\n', "\r\n").as_bytes());
    let mut body = String::with_capacity(encoded.len() + encoded.len() / 76 * 2 + 2);
    for line in encoded.as_bytes().chunks(76) {
        body.push_str(std::str::from_utf8(line).unwrap_or_default());
        body.push_str("\r\n");
    }
    format!(
        "From: <{from}>\r\nTo: {to}\r\nSubject: {}\r\nDate: {}\r\nMessage-ID: <{message_id}>\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n{body}",
        encode_words(&mail.subject),
        date.to_rfc2822(),
    )
}

/// `Message-ID` of an outbox message: its idempotency key made a dot-atom, at the sender's
/// domain.
pub fn message_id(row: &OutboxRow, domain: &str) -> String {
    let left: String = row
        .idempotency_key
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '.' })
        .collect();
    format!("{left}@{domain}")
}

// ----------------------------------------------------------------------------------- SMTP

/// Why a delivery failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SmtpError {
    /// Connection, timeout or protocol trouble: worth another attempt.
    Io(String),
    /// The server answered `code` at `stage`.
    Reply {
        stage: &'static str,
        code: u16,
        text: String,
    },
}

impl SmtpError {
    /// A 5xx answer about the recipient or the message itself will not change by retrying;
    /// anything else (4xx, a refused greeting or login, a dropped connection) might.
    pub fn permanent(&self) -> bool {
        matches!(
            self,
            SmtpError::Reply {
                stage: "RCPT TO" | "DATA",
                code: 500..=599,
                ..
            }
        )
    }
}

impl std::fmt::Display for SmtpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SmtpError::Io(e) => write!(f, "{e}"),
            SmtpError::Reply { stage, code, text } => write!(f, "{stage}: {code} {text}"),
        }
    }
}

struct Conn {
    r: BufReader<OwnedReadHalf>,
    w: OwnedWriteHalf,
    timeout: Duration,
}

impl Conn {
    async fn reply(&mut self, stage: &'static str) -> Result<(u16, String), SmtpError> {
        let mut text = Vec::new();
        loop {
            let mut line = String::new();
            let n = tokio::time::timeout(self.timeout, self.r.read_line(&mut line))
                .await
                .map_err(|_| SmtpError::Io(format!("{stage}: no answer within {:?}", self.timeout)))?
                .map_err(|e| SmtpError::Io(format!("{stage}: {e}")))?;
            if n == 0 {
                return Err(SmtpError::Io(format!("{stage}: the server closed the connection")));
            }
            let line = line.trim_end_matches(['\r', '\n']);
            let code = line
                .get(..3)
                .and_then(|c| c.parse::<u16>().ok())
                .ok_or_else(|| SmtpError::Io(format!("{stage}: not an SMTP reply: {line:?}")))?;
            text.push(line.get(4..).unwrap_or("").to_owned());
            if line.as_bytes().get(3) != Some(&b'-') {
                return Ok((code, text.join(" ")));
            }
            if text.len() > 100 {
                return Err(SmtpError::Io(format!("{stage}: reply too long")));
            }
        }
    }

    async fn send(&mut self, stage: &'static str, data: &[u8]) -> Result<(), SmtpError> {
        tokio::time::timeout(self.timeout, self.w.write_all(data))
            .await
            .map_err(|_| SmtpError::Io(format!("{stage}: could not write within {:?}", self.timeout)))?
            .map_err(|e| SmtpError::Io(format!("{stage}: {e}")))
    }

    /// Send a command and expect a reply code in `ok`.
    async fn command(&mut self, stage: &'static str, line: &str, ok: &[u16]) -> Result<(u16, String), SmtpError> {
        self.send(stage, format!("{line}\r\n").as_bytes()).await?;
        let (code, text) = self.reply(stage).await?;
        if ok.contains(&code) {
            Ok((code, text))
        } else {
            Err(SmtpError::Reply { stage, code, text })
        }
    }
}

/// Deliver one message: the whole SMTP dialogue on a fresh connection.
pub async fn deliver(cfg: &SmtpConfig, to: &str, message: &str) -> Result<(), SmtpError> {
    let stream = tokio::time::timeout(cfg.timeout, TcpStream::connect((cfg.host.as_str(), cfg.port)))
        .await
        .map_err(|_| SmtpError::Io(format!("connect {}:{}: timed out", cfg.host, cfg.port)))?
        .map_err(|e| SmtpError::Io(format!("connect {}:{}: {e}", cfg.host, cfg.port)))?;
    let (r, w) = stream.into_split();
    let mut c = Conn {
        r: BufReader::new(r),
        w,
        timeout: cfg.timeout,
    };
    let (code, text) = c.reply("greeting").await?;
    if code != 220 {
        return Err(SmtpError::Reply {
            stage: "greeting",
            code,
            text,
        });
    }
    let helo = cfg.helo_name().to_owned();
    if let Err(e) = c.command("EHLO", &format!("EHLO {helo}"), &[250]).await {
        match e {
            // An old server without ESMTP.
            SmtpError::Reply { code: 500..=599, .. } => {
                c.command("HELO", &format!("HELO {helo}"), &[250]).await?;
            }
            other => return Err(other),
        }
    }
    if let Some(user) = &cfg.username {
        let secret = format!("\0{user}\0{}", cfg.password.as_deref().unwrap_or(""));
        c.command("AUTH", &format!("AUTH PLAIN {}", B64.encode(secret.as_bytes())), &[235])
            .await?;
    }
    c.command("MAIL FROM", &format!("MAIL FROM:<{}>", cfg.from), &[250])
        .await?;
    c.command("RCPT TO", &format!("RCPT TO:<{to}>"), &[250, 251]).await?;
    c.command("DATA", "DATA", &[354]).await?;
    // Dot-stuffing (RFC 5321 §4.5.2); base64 lines never start with a dot, headers might.
    let mut data = String::with_capacity(message.len() + 8);
    for line in message.split_inclusive("\r\n") {
        if line.starts_with('.') {
            data.push('.');
        }
        data.push_str(line);
    }
    if !data.ends_with("\r\n") {
        data.push_str("\r\n");
    }
    data.push_str(".\r\n");
    c.send("DATA", data.as_bytes()).await?;
    let (code, text) = c.reply("DATA").await?;
    if code != 250 {
        return Err(SmtpError::Reply {
            stage: "DATA",
            code,
            text,
        });
    }
    // The message is accepted; a failed goodbye changes nothing.
    let _ = c.command("QUIT", "QUIT", &[221]).await;
    Ok(())
}

// --------------------------------------------------------------------------------- the worker

/// What one round did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Round {
    pub sent: usize,
    /// Failed for now, to be retried.
    pub retried: usize,
    /// Given up.
    pub failed: usize,
}

/// The mail worker.
#[derive(Clone)]
pub struct Mailer {
    store: Store,
    cfg: SmtpConfig,
}

impl Mailer {
    pub fn new(store: Store, cfg: SmtpConfig) -> Mailer {
        Mailer { store, cfg }
    }

    /// How long a claim lasts: long enough for one slow dialogue (every step may take the
    /// timeout), short enough that a message of a dead worker is soon taken again.
    pub fn lease(&self) -> chrono::Duration {
        chrono::Duration::from_std(self.cfg.timeout * 8 + Duration::from_secs(60)).unwrap_or(chrono::Duration::hours(1))
    }

    /// Claim the messages due at `now`, send them one by one and record each attempt.
    pub async fn run_once(&self, now: DateTime<Utc>) -> Result<Round, StoreError> {
        let claimed = outbox::claim(&self.store, MAIL_TOPIC, now, self.lease(), BATCH).await?;
        let mut round = Round::default();
        for row in claimed {
            let started = std::time::Instant::now();
            let result = match row.mail() {
                None => Err((true, "the message payload is unreadable".to_owned())),
                Some(m) if !address_ok(&m.to) => Err((true, format!("invalid recipient address {:?}", m.to))),
                Some(m) => {
                    let id = message_id(&row, self.cfg.helo_name());
                    let text = build_message(&self.cfg.from, &m, &id, now);
                    deliver(&self.cfg, &m.to, &text)
                        .await
                        .map_err(|e| (e.permanent(), e.to_string()))
                }
            };
            let finished = now + chrono::Duration::from_std(started.elapsed()).unwrap_or_default();
            let outcome = match result {
                Ok(()) => {
                    round.sent += 1;
                    Outcome::Sent
                }
                Err((permanent, error)) if permanent || row.attempts >= i64::from(self.cfg.max_attempts) => {
                    round.failed += 1;
                    let error = if permanent {
                        error
                    } else {
                        format!("{error} (gave up after {} attempts)", row.attempts)
                    };
                    tracing::warn!(message = row.id, %error, "mail not delivered");
                    Outcome::Failed { error }
                }
                Err((_, error)) => {
                    round.retried += 1;
                    let wait = backoff(row.attempts, self.cfg.retry_base, MAX_BACKOFF);
                    let next_attempt_at = now + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::hours(6));
                    tracing::info!(message = row.id, %error, %next_attempt_at, "mail delivery failed; will retry");
                    Outcome::Retry { error, next_attempt_at }
                }
            };
            outbox::record(&self.store, row.id, row.attempts, now, finished, outcome).await?;
        }
        Ok(round)
    }

    /// Run rounds every [`POLL`] until the process ends.
    pub fn spawn(self) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(POLL);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                if let Err(e) = self.run_once(Utc::now()).await {
                    tracing::warn!(error = %e, "mail round failed");
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let base = Duration::from_secs(60);
        assert_eq!(backoff(1, base, MAX_BACKOFF), Duration::from_secs(60));
        assert_eq!(backoff(2, base, MAX_BACKOFF), Duration::from_secs(120));
        assert_eq!(backoff(4, base, MAX_BACKOFF), Duration::from_secs(480));
        assert_eq!(backoff(40, base, MAX_BACKOFF), MAX_BACKOFF);
        assert_eq!(backoff(0, base, MAX_BACKOFF), base);
    }

    #[test]
    fn addresses_that_could_inject_are_refused() {
        assert!(address_ok("minh@example.vn"));
        assert!(!address_ok("minh@example.vn>\r\nRCPT TO:<x@y.z"));
        assert!(!address_ok("a b@c.d"));
        assert!(!address_ok("no-at.vn"));
        assert!(!address_ok("a@b@c.d"));
    }

    #[test]
    fn encoded_words_stay_short_and_decode_back() {
        let s = "Hồ sơ 000.00.15.H50-261127-0001: đã được tiếp nhận / Dossier received";
        let e = encode_words(s);
        let mut back = Vec::new();
        for w in e.split("\r\n ") {
            assert!(w.len() <= 75, "{w}");
            let inner = w.strip_prefix("=?UTF-8?B?").unwrap().strip_suffix("?=").unwrap();
            back.extend(B64.decode(inner).unwrap());
        }
        assert_eq!(String::from_utf8(back).unwrap(), s);
        assert_eq!(encode_words("plain"), "plain");
    }
}
