//! The kernel's floor: what one core costs to hand one small frame to each
//! of N loopback TCP sockets when it does nothing else, the table's
//! "floor" column.
//!
//! A fan-out server, whatever it is written in, makes at least one `write`
//! call per delivery. On loopback that call also runs the receiving side's
//! TCP processing (the packet is received in the sender's softirq, on the
//! sender's core) and wakes the reader. So on the server's one core, the
//! time of N bare writes bounds from below what any server can do:
//! deliveries per second are at most N over that time, and the last of N
//! recipients of one message waits at least that long.
//!
//! This program is started again as `bench --serve-floor <address> <sockets>
//! <rounds> <frame bytes>`, pinned like the servers (core 0): it accepts the
//! sockets, then in each round writes one ready WebSocket text frame to
//! every socket with blocking `write` calls (`TCP_NODELAY`, as every server
//! here), timing the round, with a pause between rounds so that the readers
//! go back to sleep in `epoll`, as between the messages of a quiet room. It
//! prints the round times on one line. The load client connects the sockets
//! from its own core, reads every byte and checks that all arrived.

use std::{
    io::{BufRead, Write},
    net::SocketAddr,
    process::Stdio,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use tokio::{io::AsyncReadExt, net::TcpSocket, sync::mpsc::UnboundedReceiver};

/// Pause between rounds, so that readers sleep again before the next one.
const ROUND_GAP: Duration = Duration::from_millis(100);

/// What the floor measured.
#[derive(Debug, Clone, Copy)]
pub struct Floor {
    /// Sockets written to in each round.
    pub sockets: usize,
    /// The median round: one frame to each socket, in milliseconds.
    pub round_ms: f64,
    /// Writes per second at the median round's pace: the most deliveries
    /// one core can hand to the kernel each second.
    pub writes_per_sec: f64,
}

impl Floor {
    /// Microseconds of one write at the median round's pace.
    pub fn per_write_us(&self) -> f64 {
        self.round_ms * 1_000.0 / self.sockets as f64
    }
}

/// A WebSocket text frame (server to client, so unmasked) with a payload
/// of `payload` bytes.
fn text_frame(payload: usize) -> Vec<u8> {
    let mut frame = vec![0x81];
    match payload {
        0..=125 => frame.push(payload as u8),
        126..=65_535 => {
            frame.push(126);
            frame.extend_from_slice(&(payload as u16).to_be_bytes());
        }
        _ => {
            frame.push(127);
            frame.extend_from_slice(&(payload as u64).to_be_bytes());
        }
    }
    frame.resize(frame.len() + payload, b'x');
    frame
}

/// The writer, run as `bench --serve-floor`: accepts `sockets` connections
/// on `addr`, writes `rounds` rounds of a `payload`-byte frame to each, and
/// says on `report` first `listening <address>`, then `rounds_us <µs> <µs> …`,
/// a line each. Returns when the readers hang up. Errors: binding,
/// accepting, writing or reporting failed.
pub fn serve(addr: SocketAddr, sockets: usize, rounds: usize, payload: usize, report: &mut dyn Write) -> Result<(), String> {
    let listener = std::net::TcpListener::bind(addr).map_err(|e| format!("bind {addr}: {e}"))?;
    let bound = listener.local_addr().map_err(|e| e.to_string())?;
    writeln!(report, "listening {bound}").and_then(|()| report.flush()).map_err(|e| e.to_string())?;
    let mut streams = Vec::with_capacity(sockets);
    while streams.len() < sockets {
        let (stream, _) = listener.accept().map_err(|e| format!("accept: {e}"))?;
        stream.set_nodelay(true).map_err(|e| e.to_string())?;
        streams.push(stream);
    }
    let frame = text_frame(payload);
    let mut times = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        std::thread::sleep(ROUND_GAP);
        let start = Instant::now();
        for stream in &mut streams {
            stream.write_all(&frame).map_err(|e| format!("write: {e}"))?;
        }
        times.push(start.elapsed().as_micros().to_string());
    }
    writeln!(report, "rounds_us {}", times.join(" ")).and_then(|()| report.flush()).map_err(|e| e.to_string())?;
    // Stay until the load client has read everything and hangs up.
    for mut stream in streams {
        let _ = std::io::Read::read(&mut stream, &mut [0u8; 1]);
    }
    Ok(())
}

/// [`serve`] with the arguments after `--serve-floor` (`<address> <sockets>
/// <rounds> <frame bytes>`), reporting on standard output. Errors: an
/// argument is missing or malformed, or those of [`serve`].
pub fn serve_as_asked(args: &[String]) -> Result<(), String> {
    let [addr, sockets, rounds, payload] = args else {
        return Err("--serve-floor takes <address> <sockets> <rounds> <frame bytes>".into());
    };
    let number = |s: &String| s.parse::<usize>().map_err(|e| format!("--serve-floor {s}: {e}"));
    let addr = addr.parse().map_err(|e| format!("--serve-floor {addr}: {e}"))?;
    serve(addr, number(sockets)?, number(rounds)?, number(payload)?, &mut std::io::stdout())
}

/// Starts the writer (this program again, pinned to core 0 with `pin`) on
/// `addr` and measures it with [`read_floor`]. Errors: the writer cannot
/// start, or those of [`read_floor`].
pub async fn measure(pin: bool, addr: SocketAddr, sockets: usize, rounds: usize, payload: usize) -> Result<Floor, String> {
    let me = std::env::current_exe().map_err(|e| format!("finding this program: {e}"))?.display().to_string();
    let args = ["--serve-floor".to_string(), addr.to_string(), sockets.to_string(), rounds.to_string(), payload.to_string()];
    let mut command = super::cli::on_server_core(&me, pin);
    command.args(&args).stdout(Stdio::piped()).stderr(Stdio::inherit());
    // Killed when dropped, like the servers.
    let mut writer = super::cli::Server { child: command.spawn().map_err(|e| format!("{me}: {e}"))?, _data: None };
    let stdout = writer.child.stdout.take().ok_or("the floor writer has no standard output")?;
    let (lines_tx, lines) = tokio::sync::mpsc::unbounded_channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = lines_tx.send(line);
        }
    });
    read_floor(lines, sockets, rounds, payload, Duration::from_secs(10)).await
}

/// The load client's side: waits for the writer's `listening` line,
/// connects `sockets` readers from loopback source addresses, reads every
/// byte, and takes the round times from the writer's `rounds_us` line.
/// Errors: the writer stopped or said something else, a connection failed,
/// or a byte it wrote had not arrived `patience` after the last round.
pub async fn read_floor(mut lines: UnboundedReceiver<String>, sockets: usize, rounds: usize, payload: usize, patience: Duration) -> Result<Floor, String> {
    let mut next = async || lines.recv().await.ok_or_else(|| "the floor writer stopped early".to_string());
    let first = next().await?;
    let addr: SocketAddr = first
        .strip_prefix("listening ")
        .and_then(|a| a.parse().ok())
        .ok_or_else(|| format!("the floor writer said {first:?}"))?;
    let received = Arc::new(AtomicU64::new(0));
    let mut readers = Vec::with_capacity(sockets);
    for n in 0..sockets {
        let socket = TcpSocket::new_v4().map_err(|e| e.to_string())?;
        socket.bind(SocketAddr::new(super::source_address(n / 20_000), 0)).map_err(|e| e.to_string())?;
        let mut stream = socket.connect(addr).await.map_err(|e| format!("connect: {e}"))?;
        let received = received.clone();
        readers.push(tokio::spawn(async move {
            // The load client's own read size (see `super::tab`).
            let mut buf = vec![0u8; 4096];
            while let Ok(n @ 1..) = stream.read(&mut buf).await {
                received.fetch_add(n as u64, Ordering::Relaxed);
            }
        }));
    }
    let line = next().await?;
    let mut times: Vec<f64> = line
        .strip_prefix("rounds_us ")
        .ok_or_else(|| format!("the floor writer said {line:?}"))?
        .split_whitespace()
        .map(|t| t.parse::<f64>().map_err(|e| e.to_string()))
        .collect::<Result<_, _>>()?;
    let expected = (sockets * rounds * text_frame(payload).len()) as u64;
    let deadline = Instant::now() + patience;
    while received.load(Ordering::Relaxed) < expected && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    for reader in readers {
        reader.abort();
        let _ = reader.await; // its socket is closed: the writer can end
    }
    let got = received.load(Ordering::Relaxed);
    if got != expected {
        return Err(format!("the floor's readers got {got} of the {expected} bytes written"));
    }
    times.sort_by(f64::total_cmp);
    let round_ms = times.get(times.len() / 2).copied().ok_or("the floor writer ran no round")? / 1_000.0;
    Ok(Floor { sockets, round_ms, writes_per_sec: sockets as f64 / (round_ms / 1_000.0).max(1e-9) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_carry_their_length_as_rfc_6455_says() {
        assert_eq!(text_frame(5)[..2], [0x81, 5]);
        assert_eq!(text_frame(5).len(), 7);
        let f = text_frame(300);
        assert_eq!(f[..4], [0x81, 126, 1, 44]);
        assert_eq!(f.len(), 304);
        assert_eq!(text_frame(70_000)[1], 127);
    }

    /// What the writer says, a line at a time, as its standard output would.
    struct Lines(tokio::sync::mpsc::UnboundedSender<String>, Vec<u8>);

    impl Write for Lines {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.1.extend_from_slice(bytes);
            while let Some(end) = self.1.iter().position(|b| *b == b'\n') {
                let line: Vec<u8> = self.1.drain(..=end).collect();
                let _ = self.0.send(String::from_utf8_lossy(&line[..end]).into_owned());
            }
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[tokio::test]
    async fn every_byte_written_is_read_and_each_round_timed() {
        let (tx, lines) = tokio::sync::mpsc::unbounded_channel();
        let writer = std::thread::spawn(move || serve(([127, 0, 0, 1], 0).into(), 30, 3, 200, &mut Lines(tx, Vec::new())));
        let floor = read_floor(lines, 30, 3, 200, Duration::from_secs(10)).await.unwrap();
        assert_eq!(floor.sockets, 30);
        assert!(floor.round_ms > 0.0 && floor.writes_per_sec > 0.0, "{floor:?}");
        assert!((floor.per_write_us() * 30.0 / 1_000.0 - floor.round_ms).abs() < 1e-9);
        writer.join().unwrap().unwrap();
    }

    #[tokio::test]
    async fn a_writer_that_stops_short_is_reported() {
        let (tx, lines) = tokio::sync::mpsc::unbounded_channel();
        // It says it wrote 3 rounds of 200 bytes, but writes none.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        tx.send(format!("listening {}", listener.local_addr().unwrap())).unwrap();
        let accepting = std::thread::spawn(move || (0..5).map(|_| listener.accept().unwrap().0).collect::<Vec<_>>());
        let said = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(200)).await;
            tx.send("rounds_us 10 10 10".into()).unwrap();
            tx
        });
        let err = read_floor(lines, 5, 3, 200, Duration::from_millis(300)).await.expect_err("bytes were missing");
        assert!(err.contains("got 0 of the 3060 bytes"), "{err}");
        drop((said.await, accepting.join()));
    }
}
