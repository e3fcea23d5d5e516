// A TCP proxy that injects faults, for bench/chaos.sh (docs/reliability.md, "Fault injection").
// JDK only, one file: java bench/tools/FaultProxy.java <listen-port> <target-host:port> <control-port>
//
// Forwards every connection on 127.0.0.1:<listen-port> to <target>. The mode is switched at run
// time through a loopback control port: one line per connection, answered with "ok <mode>":
//
//   pass          forward (the start mode)
//   delay <ms>    forward, but hold each chunk of the target's answer <ms> before passing it on
//   drop          reset every open connection and every new one (RST, nothing answered)
//   blackhole     accept and read, never connect to the target, never answer; open connections
//                 stop being forwarded (their bytes are read and discarded)
//   mode          print the current mode
//
// e.g. `exec 3<>/dev/tcp/127.0.0.1/<control-port>; echo blackhole >&3; read -r reply <&3`.
// Every mode change is printed on stdout with a timestamp. Virtual threads, two per connection.
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

public class FaultProxy {
    enum Kind { PASS, DELAY, DROP, BLACKHOLE }

    record Mode(Kind kind, long delayMs) {
        @Override
        public String toString() {
            return kind == Kind.DELAY ? "delay " + delayMs : kind.name().toLowerCase();
        }
    }

    private static volatile Mode mode = new Mode(Kind.PASS, 0);
    /** Open client-side sockets, so "drop" can reset the connections that already exist. */
    private static final Set<Socket> OPEN = ConcurrentHashMap.newKeySet();

    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            System.err.println("usage: java FaultProxy.java <listen-port> <target-host:port> <control-port>");
            System.exit(2);
        }
        int listenPort = Integer.parseInt(args[0]);
        String target = args[1];
        int colon = target.lastIndexOf(':');
        InetSocketAddress targetAddress = new InetSocketAddress(target.substring(0, colon),
                Integer.parseInt(target.substring(colon + 1)));
        int controlPort = Integer.parseInt(args[2]);
        InetAddress loopback = InetAddress.getLoopbackAddress();

        ServerSocket control = new ServerSocket(controlPort, 16, loopback);
        Thread.ofVirtual().start(() -> serveControl(control));
        ServerSocket listener = new ServerSocket(listenPort, 1024, loopback);
        log("listening on 127.0.0.1:" + listenPort + " -> " + target + ", control on 127.0.0.1:" + controlPort
                + ", mode " + mode);
        while (true) {
            Socket client = listener.accept();
            Thread.ofVirtual().start(() -> handle(client, targetAddress));
        }
    }

    private static void handle(Socket client, InetSocketAddress targetAddress) {
        Mode at = mode;
        try {
            client.setTcpNoDelay(true);
            if (at.kind == Kind.DROP) {
                reset(client);
                return;
            }
            OPEN.add(client);
            if (at.kind == Kind.BLACKHOLE) {
                discard(client.getInputStream());
                return;
            }
            try (Socket upstream = new Socket()) {
                upstream.setTcpNoDelay(true);
                upstream.connect(targetAddress, 2000);
                Thread up = Thread.ofVirtual().start(() -> pump(client, upstream, false));
                pump(upstream, client, true);
                up.join();
            }
        } catch (IOException | InterruptedException e) {
            // the client or the target went away: nothing to report, the connection just ends
        } finally {
            OPEN.remove(client);
            closeQuietly(client);
        }
    }

    /** Copies from -> to; the answer direction honours delay; both directions stop on blackhole. */
    private static void pump(Socket from, Socket to, boolean answer) {
        byte[] buffer = new byte[16384];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            int n;
            while ((n = in.read(buffer)) >= 0) {
                Mode now = mode;
                if (now.kind == Kind.BLACKHOLE) {
                    continue; // read and discard: the peer waits for an answer that never comes
                }
                if (answer && now.kind == Kind.DELAY && now.delayMs > 0) {
                    Thread.sleep(now.delayMs);
                }
                out.write(buffer, 0, n);
                out.flush();
            }
            to.shutdownOutput();
        } catch (IOException | InterruptedException e) {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private static void discard(InputStream in) throws IOException {
        byte[] buffer = new byte[4096];
        while (in.read(buffer) >= 0) {
            // never answered
        }
    }

    private static void reset(Socket socket) {
        try {
            socket.setSoLinger(true, 0); // close() now sends RST instead of FIN
        } catch (IOException ignored) {
            // already gone
        }
        closeQuietly(socket);
    }

    private static void serveControl(ServerSocket control) {
        while (true) {
            try (Socket c = control.accept();
                 BufferedReader in = new BufferedReader(new InputStreamReader(c.getInputStream(), StandardCharsets.US_ASCII));
                 PrintWriter out = new PrintWriter(c.getOutputStream(), true, StandardCharsets.US_ASCII)) {
                String line = in.readLine();
                if (line == null) {
                    continue;
                }
                String[] words = line.trim().split("\\s+");
                Mode next = switch (words[0]) {
                    case "pass" -> new Mode(Kind.PASS, 0);
                    case "delay" -> words.length == 2 ? new Mode(Kind.DELAY, Long.parseLong(words[1])) : null;
                    case "drop" -> new Mode(Kind.DROP, 0);
                    case "blackhole" -> new Mode(Kind.BLACKHOLE, 0);
                    case "mode" -> mode;
                    default -> null;
                };
                if (next == null) {
                    out.println("error: pass | delay <ms> | drop | blackhole | mode");
                    continue;
                }
                if (!words[0].equals("mode")) {
                    mode = next;
                    log("mode " + next);
                    if (next.kind == Kind.DROP) {
                        for (Socket s : OPEN) {
                            reset(s);
                        }
                    }
                }
                out.println("ok " + next);
            } catch (IOException | RuntimeException e) {
                log("control: " + e);
            }
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // nothing left to do
        }
    }

    private static void log(String message) {
        System.out.println(Instant.now() + " fault-proxy: " + message);
        System.out.flush();
    }
}
