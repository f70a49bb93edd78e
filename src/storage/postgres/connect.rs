//! From a `postgres://` URL to a connected client, following libpq's
//! conventions so that a team's existing set-up works unchanged:
//!
//! * the URL's own parts first; then `PGHOST`, `PGPORT`, `PGUSER`,
//!   `PGDATABASE` for parts it leaves out, and the OS account as the user;
//! * a password from the URL, else `PGPASSWORD`, else the password file
//!   (`PGPASSFILE`, default `~/.pgpass`, with libpq's `*` wildcards and
//!   `\` escapes);
//! * `service=NAME` in the URL or `PGSERVICE`: the section of the service
//!   file (`PGSERVICEFILE`, else `~/.pg_service.conf`, else
//!   `PGSYSCONFDIR/pg_service.conf`) fills what the URL leaves out;
//! * `sslmode` (`disable`, `allow`, `prefer`, `require`, `verify-ca`,
//!   `verify-full`; also `PGSSLMODE`) with `sslrootcert` (or
//!   `PGSSLROOTCERT`, `~/.postgresql/root.crt`): TLS through rustls,
//!   certificates checked as libpq checks them.
//!
//! Not supported, and refused with a message rather than ignored: client
//! certificates (`sslcert`, `sslkey`), several hosts in one URL, GSSAPI.
//!
//! The password never leaves this module: messages name the ledger by its
//! redacted [`Location`].

use super::super::{Location, StorageError, StorageResult};
use ::postgres::config::SslMode;
use ::postgres::{Client, Config};
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};
use std::collections::BTreeMap;
#[cfg(test)]
use std::path::Path;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio_postgres_rustls::MakeRustlsConnect;

/// How long connecting may take unless `connect_timeout` or
/// `PGCONNECT_TIMEOUT` says otherwise.
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Connection parameters of a URL after libpq's rules, before connecting.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(super) struct Params {
    pub(super) host: Option<String>,
    pub(super) port: Option<u16>,
    pub(super) user: Option<String>,
    pub(super) password: Option<String>,
    pub(super) dbname: Option<String>,
    pub(super) sslmode: Option<String>,
    pub(super) sslrootcert: Option<String>,
    pub(super) connect_timeout: Option<u64>,
    pub(super) options: Option<String>,
}

/// Connects to the ledger at `url`; every failure is a
/// [`StorageError::CannotOpen`] naming the redacted location.
pub(super) fn connect(url: &str, location: &Location) -> StorageResult<Client> {
    let cannot = |reason: String| StorageError::CannotOpen {
        location: location.clone(),
        reason,
    };
    let params = resolve(url, &Env::process()).map_err(cannot)?;
    let mode = params.sslmode.as_deref().unwrap_or("prefer").to_string();
    let config = build_config(&params, &mode).map_err(cannot)?;
    let result = match mode.as_str() {
        "disable" => config.connect(::postgres::NoTls),
        _ => config.connect(tls_connector(&params, &mode).map_err(cannot)?),
    };
    result.map_err(|e| super::error::connect_error(e, location))
}

/// The role a connection to `url` logs in as (the URL's user, else
/// `PGUSER` or the service file's, else the OS account), as the database
/// will record it; `None` if the URL cannot be read.
pub(super) fn login_role(url: &str) -> Option<String> {
    let params = resolve(url, &Env::process()).ok()?;
    params.user.or_else(|| whoami::username().ok())
}

fn build_config(params: &Params, mode: &str) -> Result<Config, String> {
    let mut config = Config::new();
    let host = params.host.clone().unwrap_or_else(|| "localhost".into());
    if host.contains(',') {
        return Err("several hosts in one URL are not supported; name one".into());
    }
    config.host(&host);
    config.port(params.port.unwrap_or(5432));
    let user = match &params.user {
        Some(user) => user.clone(),
        None => {
            whoami::username().map_err(|e| format!("no user name given and none found: {e}"))?
        }
    };
    config.user(&user);
    if let Some(password) = &params.password {
        config.password(password);
    }
    config.dbname(params.dbname.as_deref().unwrap_or(&user));
    config.application_name("tracker");
    if let Some(options) = &params.options {
        config.options(options);
    }
    config.connect_timeout(
        params
            .connect_timeout
            .filter(|s| *s > 0)
            .map_or(DEFAULT_CONNECT_TIMEOUT, Duration::from_secs),
    );
    config.ssl_mode(match mode {
        "disable" => SslMode::Disable,
        "allow" | "prefer" => SslMode::Prefer,
        "require" | "verify-ca" | "verify-full" => SslMode::Require,
        other => {
            return Err(format!(
                "sslmode `{other}` is not one of disable, allow, prefer, require, verify-ca, verify-full"
            ));
        }
    });
    Ok(config)
}

/// libpq's certificate rules: `require` (and `prefer`) encrypt without
/// checking who answers, unless a root certificate is given (then the
/// chain is checked, as `verify-ca` does); `verify-ca` checks the chain;
/// `verify-full` also the host name. rustls with the ring provider: pure
/// Rust and a little assembly, nothing to install on the machine.
fn tls_connector(params: &Params, mode: &str) -> Result<MakeRustlsConnect, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let root = params.sslrootcert.clone().map(PathBuf::from).or_else(|| {
        home()
            .map(|h| h.join(".postgresql/root.crt"))
            .filter(|p| p.is_file())
    });
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("cannot set up TLS: {e}"))?;
    let config = match root {
        Some(path) => {
            let mut roots = RootCertStore::empty();
            let certs = CertificateDer::pem_file_iter(&path)
                .map_err(|e| format!("cannot read sslrootcert {}: {e}", path.display()))?;
            for cert in certs {
                let cert = cert.map_err(|e| {
                    format!(
                        "sslrootcert {} is not a PEM certificate: {e}",
                        path.display()
                    )
                })?;
                roots
                    .add(cert)
                    .map_err(|e| format!("sslrootcert {}: {e}", path.display()))?;
            }
            let roots = Arc::new(roots);
            if mode == "verify-full" {
                builder.with_root_certificates(roots).with_no_client_auth()
            } else {
                let inner = WebPkiServerVerifier::builder_with_provider(roots, provider)
                    .build()
                    .map_err(|e| format!("cannot set up TLS: {e}"))?;
                builder
                    .dangerous()
                    .with_custom_certificate_verifier(Arc::new(ChainOnly(inner)))
                    .with_no_client_auth()
            }
        }
        None if mode == "verify-ca" || mode == "verify-full" => {
            // libpq requires a root certificate for these; so do we, rather
            // than silently trusting some other store.
            return Err(format!(
                "sslmode={mode} needs a root certificate: give sslrootcert=FILE or put it at ~/.postgresql/root.crt"
            ));
        }
        None => builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(EncryptOnly(provider)))
            .with_no_client_auth(),
    };
    Ok(MakeRustlsConnect::new(config))
}

/// `verify-ca`: the chain must lead to the root certificate; the name on
/// the certificate is not checked.
#[derive(Debug)]
struct ChainOnly(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
        {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

/// `require` without a root certificate (libpq's meaning): encrypted, the
/// server's identity not checked; the handshake's signatures still are.
#[derive(Debug)]
struct EncryptOnly(Arc<CryptoProvider>);

impl ServerCertVerifier for EncryptOnly {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// The environment, as a map (tests pass their own).
pub(super) struct Env {
    vars: BTreeMap<String, String>,
    home: Option<PathBuf>,
}

impl Env {
    fn process() -> Env {
        Env {
            vars: std::env::vars()
                .filter(|(k, _)| k.starts_with("PG"))
                .collect(),
            home: home(),
        }
    }

    #[cfg(test)]
    pub(super) fn of(vars: &[(&str, &str)], home: Option<&Path>) -> Env {
        Env {
            vars: vars
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            home: home.map(Path::to_path_buf),
        }
    }

    fn get(&self, key: &str) -> Option<String> {
        self.vars.get(key).filter(|v| !v.is_empty()).cloned()
    }
}

fn home() -> Option<PathBuf> {
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
}

/// The URL's parameters completed by the service file, the environment and
/// the password file, in libpq's order.
pub(super) fn resolve(url: &str, env: &Env) -> Result<Params, String> {
    let (mut params, service) = parse_url(url)?;
    if let Some(name) = service.or_else(|| env.get("PGSERVICE")) {
        let section = service_section(&name, env)?;
        fill(&mut params, |key| section.get(key).cloned())?;
    }
    fill(&mut params, |key| {
        let var = match key {
            "host" => "PGHOST",
            "port" => "PGPORT",
            "user" => "PGUSER",
            "password" => "PGPASSWORD",
            "dbname" => "PGDATABASE",
            "sslmode" => "PGSSLMODE",
            "sslrootcert" => "PGSSLROOTCERT",
            "connect_timeout" => "PGCONNECT_TIMEOUT",
            "options" => "PGOPTIONS",
            _ => return None,
        };
        env.get(var)
    })?;
    if params.password.is_none() {
        params.password = pgpass_password(&params, env);
    }
    Ok(params)
}

/// Sets each part still missing from `lookup`.
fn fill(params: &mut Params, lookup: impl Fn(&str) -> Option<String>) -> Result<(), String> {
    for key in [
        "host",
        "port",
        "user",
        "password",
        "dbname",
        "sslmode",
        "sslrootcert",
        "connect_timeout",
        "options",
    ] {
        if let Some(value) = lookup(key) {
            set(params, key, value, false)?;
        }
    }
    Ok(())
}

/// Sets `key`; `overwrite` false keeps a value already set.
fn set(params: &mut Params, key: &str, value: String, overwrite: bool) -> Result<(), String> {
    fn put<T>(slot: &mut Option<T>, value: T, overwrite: bool) {
        if overwrite || slot.is_none() {
            *slot = Some(value);
        }
    }
    match key {
        "host" => put(&mut params.host, value, overwrite),
        "port" => put(
            &mut params.port,
            value
                .parse()
                .map_err(|_| format!("port `{value}` is not a number"))?,
            overwrite,
        ),
        "user" => put(&mut params.user, value, overwrite),
        "password" => put(&mut params.password, value, overwrite),
        "dbname" => put(&mut params.dbname, value, overwrite),
        "sslmode" => put(&mut params.sslmode, value, overwrite),
        "sslrootcert" => put(&mut params.sslrootcert, value, overwrite),
        "connect_timeout" => put(
            &mut params.connect_timeout,
            value
                .parse()
                .map_err(|_| format!("connect_timeout `{value}` is not a number of seconds"))?,
            overwrite,
        ),
        "options" => put(&mut params.options, value, overwrite),
        "application_name" => {}
        "sslcert" | "sslkey" | "sslpassword" | "gssencmode" | "krbsrvname" => {
            return Err(format!("the connection parameter `{key}` is not supported"));
        }
        other => return Err(format!("unknown connection parameter `{other}`")),
    }
    Ok(())
}

/// `postgres[ql]://[user[:password]@][host][:port][/dbname][?k=v&...]`,
/// percent-decoded; returns the parameters and a `service` if named.
fn parse_url(url: &str) -> Result<(Params, Option<String>), String> {
    // Parsed on, such a URL would fail quoting a piece of the password
    // (as a port or a parameter): refused first, saying how to write it.
    if let Some((_, true)) = super::super::location::userinfo_password(url) {
        return Err(
            "the password in the URL holds a `/`, `?` or `#` that is not \
                    percent-encoded: write `/` as %2F, `?` as %3F, `#` as %23, `@` as %40 \
                    (or leave the password out of the URL and use ~/.pgpass or PGPASSWORD)"
                .to_string(),
        );
    }
    let rest = url.find("://").map(|i| &url[i + 3..]).ok_or(
        "a database URL is written postgres://USER@HOST:PORT/DATABASE \
         (a file whose name starts with `postgres:` is written ./postgres:…)",
    )?;
    let (main, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (authority, path) = main.split_once('/').unwrap_or((main, ""));
    let mut params = Params::default();
    let (userinfo, hostport) = match authority.rfind('@') {
        Some(at) => (Some(&authority[..at]), &authority[at + 1..]),
        None => (None, authority),
    };
    if let Some(userinfo) = userinfo {
        let (user, password) = match userinfo.split_once(':') {
            Some((u, p)) => (u, Some(p)),
            None => (userinfo, None),
        };
        if !user.is_empty() {
            params.user = Some(decode(user)?);
        }
        if let Some(p) = password {
            params.password = Some(decode(p)?);
        }
    }
    let (host, port) = if let Some(bracketed) = hostport.strip_prefix('[') {
        let (h, rest) = bracketed
            .split_once(']')
            .ok_or("an IPv6 host is missing its `]`")?;
        (h, rest.strip_prefix(':'))
    } else {
        match hostport.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (hostport, None),
        }
    };
    if !host.is_empty() {
        params.host = Some(decode(host)?);
    }
    if let Some(port) = port.filter(|p| !p.is_empty()) {
        set(&mut params, "port", port.to_string(), true)?;
    }
    if !path.is_empty() {
        params.dbname = Some(decode(path)?);
    }
    let mut service = None;
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let (key, value) = (decode(key)?, decode(value)?);
        match key.as_str() {
            "service" => service = Some(value),
            _ => set(&mut params, &key, value, true)?,
        }
    }
    Ok((params, service))
}

fn decode(text: &str) -> Result<String, String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or("the URL has a bad %-escape")?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| "the URL is not UTF-8 once decoded".to_string())
}

/// One `[name]` section of the service file.
fn service_section(name: &str, env: &Env) -> Result<BTreeMap<String, String>, String> {
    let candidates: Vec<PathBuf> = [
        env.get("PGSERVICEFILE").map(PathBuf::from),
        env.home.as_ref().map(|h| h.join(".pg_service.conf")),
        env.get("PGSYSCONFDIR")
            .map(|d| PathBuf::from(d).join("pg_service.conf")),
    ]
    .into_iter()
    .flatten()
    .collect();
    for file in &candidates {
        let Ok(text) = std::fs::read_to_string(file) else {
            continue;
        };
        let mut in_section = false;
        let mut found: Option<BTreeMap<String, String>> = None;
        for line in text.lines().map(str::trim) {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some(section) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                in_section = section == name;
                if in_section {
                    found = Some(BTreeMap::new());
                }
            } else if in_section
                && let Some((k, v)) = line.split_once('=')
                && let Some(map) = found.as_mut()
            {
                map.insert(k.trim().to_string(), v.trim().to_string());
            }
        }
        if let Some(map) = found {
            return Ok(map);
        }
    }
    Err(format!(
        "service `{name}` is not defined in any service file"
    ))
}

/// The password file's password for these parameters (libpq's rules: the
/// first matching line wins; `*` matches anything; `\` escapes `:` and
/// `\`; a file others can read is ignored, as libpq ignores it).
fn pgpass_password(params: &Params, env: &Env) -> Option<String> {
    let file = env
        .get("PGPASSFILE")
        .map(PathBuf::from)
        .or_else(|| env.home.as_ref().map(|h| h.join(".pgpass")))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).ok()?.permissions().mode();
        if mode & 0o077 != 0 {
            return None;
        }
    }
    let text = std::fs::read_to_string(&file).ok()?;
    let host = params.host.as_deref().unwrap_or("localhost");
    let host = if host.starts_with('/') {
        "localhost"
    } else {
        host
    };
    let port = params.port.unwrap_or(5432).to_string();
    let user = params.user.clone().or_else(|| whoami::username().ok())?;
    let dbname = params.dbname.clone().unwrap_or_else(|| user.clone());
    let wanted = [host, port.as_str(), dbname.as_str(), user.as_str()];
    text.lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .find_map(|line| {
            let fields = split_pgpass(line);
            if fields.len() != 5 {
                return None;
            }
            let matches = fields[..4]
                .iter()
                .zip(wanted)
                .all(|(field, want)| field == "*" || field == want);
            matches.then(|| fields[4].clone())
        })
}

fn split_pgpass(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(next) = chars.next() {
                    fields.last_mut().expect("one field").push(next);
                }
            }
            ':' => fields.push(String::new()),
            c => fields.last_mut().expect("one field").push(c),
        }
    }
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_parts_then_environment_then_password_file() {
        let dir = tempfile::tempdir().unwrap();
        let env = Env::of(
            &[("PGPORT", "6000"), ("PGDATABASE", "fromenv")],
            Some(dir.path()),
        );
        let p = resolve("postgres://ann@db.example/ledger?sslmode=require", &env).unwrap();
        assert_eq!(p.host.as_deref(), Some("db.example"));
        assert_eq!(p.port, Some(6000));
        assert_eq!(p.user.as_deref(), Some("ann"));
        assert_eq!(p.dbname.as_deref(), Some("ledger"));
        assert_eq!(p.sslmode.as_deref(), Some("require"));
        assert_eq!(p.password, None);

        let env = Env::of(&[("PGPASSWORD", "fromenv")], Some(dir.path()));
        let p = resolve("postgresql://ann:s%40cret@h:5433/d", &env).unwrap();
        assert_eq!(p.password.as_deref(), Some("s@cret"), "the URL wins");
        let p = resolve("postgresql://ann@h:5433/d", &env).unwrap();
        assert_eq!(p.password.as_deref(), Some("fromenv"));

        // ~/.pgpass: first match wins, wildcards, escapes; ignored when
        // others may read it.
        let pgpass = dir.path().join(".pgpass");
        std::fs::write(
            &pgpass,
            "# synthetic\nother:*:*:*:nope\nh:5433:d:ann:pa\\:ss\n*:*:*:*:fallback\n",
        )
        .unwrap();
        let env = Env::of(&[], Some(dir.path()));
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&pgpass, std::fs::Permissions::from_mode(0o600)).unwrap();
        let p = resolve("postgres://ann@h:5433/d", &env).unwrap();
        assert_eq!(p.password.as_deref(), Some("pa:ss"));
        let p = resolve("postgres://bob@h:5433/d", &env).unwrap();
        assert_eq!(p.password.as_deref(), Some("fallback"));
        std::fs::set_permissions(&pgpass, std::fs::Permissions::from_mode(0o644)).unwrap();
        let p = resolve("postgres://ann@h:5433/d", &env).unwrap();
        assert_eq!(p.password, None);
    }

    #[test]
    fn service_file_fills_what_the_url_leaves_out() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("services.conf");
        std::fs::write(
            &file,
            "[other]\nhost=wrong\n[team]\nhost=db.team\nport=6543\ndbname=ledger\nuser=ann\n",
        )
        .unwrap();
        let env = Env::of(
            &[("PGSERVICEFILE", file.to_str().unwrap())],
            Some(dir.path()),
        );
        let p = resolve("postgres:///?service=team", &env).unwrap();
        assert_eq!(p.host.as_deref(), Some("db.team"));
        assert_eq!(p.port, Some(6543));
        assert_eq!(p.dbname.as_deref(), Some("ledger"));
        let p = resolve("postgres://bob@/mine?service=team", &env).unwrap();
        assert_eq!(p.user.as_deref(), Some("bob"), "the URL wins");
        assert_eq!(p.dbname.as_deref(), Some("mine"));
        let env = Env::of(
            &[
                ("PGSERVICEFILE", file.to_str().unwrap()),
                ("PGSERVICE", "nope"),
            ],
            None,
        );
        assert!(resolve("postgres://", &env).unwrap_err().contains("nope"));
    }

    #[test]
    fn unsupported_parameters_are_refused_not_ignored() {
        let env = Env::of(&[], None);
        for url in [
            "postgres://h/d?sslcert=/x",
            "postgres://h/d?frobnicate=1",
            "postgres://h:port/d",
        ] {
            assert!(resolve(url, &env).is_err(), "{url}");
        }
        let p = resolve("postgres://h/d?sslmode=bogus", &env).unwrap();
        assert!(build_config(&p, "bogus").is_err());
    }
}
