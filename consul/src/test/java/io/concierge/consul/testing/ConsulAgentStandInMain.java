package io.concierge.consul.testing;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Runs the {@link ConsulAgentStandIn} as a process of its own, for end-to-end runs of the demo in
 * Consul mode (the launcher and the gateways reach it over HTTP exactly as they would a real agent).
 * Test scope only: it is launched with the test class path and is never part of a product jar.
 *
 * <pre>
 *   java -cp &lt;test class path&gt; io.concierge.consul.testing.ConsulAgentStandInMain &lt;port&gt; [deregister-floor]
 * </pre>
 *
 * Port 0 picks a free one. It prints {@code consul stand-in listening on http://127.0.0.1:<port>}
 * once it accepts requests, then one JSON line per request it receives (so a test can read the
 * registrations the gateways sent), and runs until it is terminated (SIGTERM closes it).
 * {@code deregister-floor} is a Go duration below Consul's 1m floor for reaping critical services
 * (default: Consul's).
 */
public final class ConsulAgentStandInMain {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ConsulAgentStandInMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: ConsulAgentStandInMain <port> [deregister-floor, e.g. 5s]");
            System.exit(2);
        }
        ConsulAgentStandIn.Builder builder = ConsulAgentStandIn.builder().port(Integer.parseInt(args[0]))
                .onRequest(ConsulAgentStandInMain::log);
        if (args.length == 2) {
            Duration floor = ConsulAgentStandIn.goDuration(args[1]);
            if (floor == null) {
                System.err.println("not a duration: " + args[1]);
                System.exit(2);
            }
            builder.deregisterFloor(floor).reapInterval(floor);
        }
        ConsulAgentStandIn agent = builder.start();
        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            agent.close();
            closed.countDown();
        }, "consul-standin-stop"));
        System.out.println("consul stand-in listening on " + agent.address());
        System.out.flush();
        closed.await();
    }

    private static synchronized void log(ConsulAgentStandIn.Request request) {
        try {
            System.out.println(JSON.writeValueAsString(request));
            System.out.flush();
        } catch (Exception e) {
            System.err.println("cannot log a request: " + e);
        }
    }
}
