package io.concierge.demo.payments;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Optional;
import java.util.regex.Pattern;

import io.concierge.demo.support.Caller;
import io.concierge.demo.support.DemoServer;
import io.concierge.demo.support.JsonBody;
import io.concierge.demo.support.JsonResponses;
import io.concierge.demo.support.ProblemException;
import io.concierge.demo.support.QueryParameters;
import io.concierge.demo.support.ServiceEnvironment;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * The payments domain's demo service: every payment is captured at once. Behind its gateway,
 * "own payments only, admin all" is enforced here, against the verified caller the gateway passes
 * on ({@link Caller}): only this service knows whose a payment is. Called directly, without
 * identity headers, it trusts the userId it is given.
 */
public final class PaymentService {
    public static final String NAME = "payments";
    public static final String PORT_VARIABLE = "PAYMENT_SERVICE_PORT";
    public static final int DEFAULT_PORT = 3004;

    static final BigDecimal MAX_AMOUNT = new BigDecimal("1000000");
    private static final Pattern CURRENCY = Pattern.compile("[A-Z]{3}");
    /* Letters only, so that a card number sent as the "method" is refused rather than stored and echoed. */
    private static final Pattern METHOD = Pattern.compile("[a-z][a-z_-]{0,31}");

    private final PaymentLedger payments;

    private PaymentService(PaymentLedger payments) {
        this.payments = payments;
    }

    public static void main(String[] args) {
        DemoServer.runMain(NAME, () -> start(ServiceEnvironment.port(PORT_VARIABLE, DEFAULT_PORT)));
    }

    /** Starts on {@code port} (0: any free port) with the demo payments. */
    public static WebServer start(int port) {
        PaymentService service = new PaymentService(PaymentLedger.demo());
        return DemoServer.start(NAME, ServiceEnvironment.host(), port, service::routes);
    }

    private void routes(HttpRouting.Builder routing) {
        routing.get("/api/payments", (req, res) -> {
                    Optional<String> userId = QueryParameters.optionalToken(req, "userId");
                    Caller.of(req).ifPresent(c -> c.mustOwn(userId.orElse(""), "payment list"));
                    JsonResponses.ok(res, payments.list(userId));
                })
                .post("/api/payments", this::pay)
                .get("/api/payments/{id}", this::payment);
    }

    private void payment(ServerRequest req, ServerResponse res) {
        Payment payment = payments.find(req.path().pathParameters().get("id"))
                .orElseThrow(() -> ProblemException.notFound("No payment with this id"));
        Caller.of(req).ifPresent(c -> c.mustOwn(payment.userId(), "payment"));
        JsonResponses.ok(res, payment);
    }

    private void pay(ServerRequest req, ServerResponse res) {
        JsonBody body = JsonBody.read(req);
        String userId = body.token("userId");
        Caller.of(req).ifPresent(c -> c.mustOwn(userId, "user id"));
        PaymentLedger.Request request = new PaymentLedger.Request(
                body.token("orderId"),
                userId,
                body.positiveDecimal("amount", MAX_AMOUNT, 2),
                body.text("currency", CURRENCY, "an ISO 4217 code of three capital letters"),
                body.text("method", METHOD, "a payment method name such as card, paypal or bank_transfer"));
        Payment payment = payments.capture(request, Instant.now()).orElseThrow(
                () -> new ProblemException(Status.SERVICE_UNAVAILABLE_503, "The demo payment ledger is full"));
        res.header(HeaderNames.LOCATION, "/api/payments/" + payment.id());
        JsonResponses.send(res, Status.CREATED_201, payment);
    }
}
