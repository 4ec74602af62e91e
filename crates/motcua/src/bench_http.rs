//! The HTTP side of the benchmarks: the real application served on a local port, and a small
//! keep-alive HTTP/1.1 client, so a figure includes parsing, routing, middleware and the socket
//! — what a citizen's browser or a machine client pays — without a client library's overhead.

use std::net::SocketAddr;
use std::time::Instant;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};

/// Serve the whole application of `state` on 127.0.0.1 (any free port) in the background.
pub async fn serve(state: motcua_web::AppState) -> anyhow::Result<SocketAddr> {
    let (router, _) = motcua_web::app(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        let _ = axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>()).await;
    });
    Ok(addr)
}

/// One keep-alive connection.
pub struct Connection {
    reader: BufReader<OwnedReadHalf>,
    writer: OwnedWriteHalf,
    line: String,
}

/// A response: status and body.
pub struct Response {
    pub status: u16,
    pub body: Vec<u8>,
}

impl Connection {
    pub async fn open(addr: SocketAddr) -> anyhow::Result<Connection> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        let (r, w) = stream.into_split();
        Ok(Connection {
            reader: BufReader::new(r),
            writer: w,
            line: String::new(),
        })
    }

    /// Send one request and read the whole response. `headers` are extra `Name: value` lines.
    pub async fn request(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
    ) -> anyhow::Result<Response> {
        let mut head = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        for (k, v) in headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        if let Some(b) = body {
            head.push_str(&format!("Content-Length: {}\r\n", b.len()));
        }
        head.push_str("\r\n");
        let mut out = head.into_bytes();
        if let Some(b) = body {
            out.extend_from_slice(b);
        }
        self.writer.write_all(&out).await?;
        self.read_response().await
    }

    async fn read_response(&mut self) -> anyhow::Result<Response> {
        self.line.clear();
        self.reader.read_line(&mut self.line).await?;
        let status: u16 = self
            .line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| anyhow::anyhow!("bad status line {:?}", self.line))?;
        let (mut length, mut chunked) = (0usize, false);
        loop {
            self.line.clear();
            if self.reader.read_line(&mut self.line).await? == 0 {
                anyhow::bail!("connection closed in headers");
            }
            let l = self.line.trim_end();
            if l.is_empty() {
                break;
            }
            if let Some((k, v)) = l.split_once(':') {
                let (k, v) = (k.trim(), v.trim());
                if k.eq_ignore_ascii_case("content-length") {
                    length = v.parse()?;
                } else if k.eq_ignore_ascii_case("transfer-encoding") && v.eq_ignore_ascii_case("chunked") {
                    chunked = true;
                }
            }
        }
        let mut body = Vec::new();
        if chunked {
            loop {
                self.line.clear();
                self.reader.read_line(&mut self.line).await?;
                let size = usize::from_str_radix(self.line.trim().split(';').next().unwrap_or("0"), 16)?;
                let start = body.len();
                body.resize(start + size + 2, 0);
                self.reader.read_exact(&mut body[start..]).await?;
                body.truncate(start + size);
                if size == 0 {
                    break;
                }
            }
        } else {
            body.resize(length, 0);
            self.reader.read_exact(&mut body).await?;
        }
        Ok(Response { status, body })
    }
}

/// `clients` connections share `requests` requests over `paths` in turn; returns requests/s and
/// the latencies.
pub async fn scenario(
    addr: SocketAddr,
    clients: usize,
    requests: usize,
    paths: &'static [&'static str],
    label: &str,
) -> anyhow::Result<(f64, Latencies)> {
    let per_client = requests.div_ceil(clients.max(1));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for k in 0..clients.max(1) {
        tasks.push(tokio::spawn(async move {
            let mut c = Connection::open(addr).await?;
            let mut lat = Vec::with_capacity(per_client);
            for i in 0..per_client {
                let path = paths[(k + i) % paths.len()];
                let t = Instant::now();
                let r = c.request("GET", path, &[], None).await?;
                lat.push(u32::try_from(t.elapsed().as_micros()).unwrap_or(u32::MAX));
                anyhow::ensure!(r.status == 200, "{path} answered {}", r.status);
            }
            anyhow::Ok(lat)
        }));
    }
    let mut all = Vec::with_capacity(per_client * clients);
    for t in tasks {
        all.extend(t.await??);
    }
    let rate = all.len() as f64 / started.elapsed().as_secs_f64();
    let mut lat = Latencies(all);
    println!(
        "{:<28} {:>8} {:>10.0} {:>10.2} {:>10.2} {:>10.2}",
        label,
        clients,
        rate,
        lat.percentile(50.0) / 1000.0,
        lat.percentile(99.0) / 1000.0,
        lat.percentile(100.0) / 1000.0
    );
    Ok((rate, lat))
}

/// Latency figures of one scenario, in microseconds.
pub struct Latencies(pub Vec<u32>);

impl Latencies {
    /// The `p`-th percentile (0–100), nearest rank.
    pub fn percentile(&mut self, p: f64) -> f64 {
        if self.0.is_empty() {
            return 0.0;
        }
        self.0.sort_unstable();
        let rank = ((p / 100.0) * self.0.len() as f64).ceil() as usize;
        f64::from(self.0[rank.clamp(1, self.0.len()) - 1])
    }
}
