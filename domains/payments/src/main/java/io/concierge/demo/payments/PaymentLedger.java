package io.concierge.demo.payments;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/** All payments, in memory. Safe for concurrent requests: a concurrent map and an atomic id sequence. */
final class PaymentLedger {
    /** Bounds memory when a load test pays in a loop; beyond it new payments are refused. */
    static final int CAPACITY = 100_000;

    /** What a client asks for; the ledger adds id, status and time. */
    record Request(String orderId, String userId, BigDecimal amount, String currency, String method) {
    }

    private record Entry(long sequence, Instant createdAt, Payment payment) {
    }

    /* Newest first; payments made within the same second keep their order. */
    private static final Comparator<Entry> NEWEST_FIRST = Comparator.comparing(Entry::createdAt)
            .thenComparingLong(Entry::sequence)
            .reversed();

    private final Map<String, Entry> byId = new ConcurrentHashMap<>();
    private final AtomicLong sequence = new AtomicLong();

    /** Payments pay1..pay3 for the orders service's demo orders o1 and o2 (alice) and o8 (bob). */
    static PaymentLedger demo() {
        PaymentLedger ledger = new PaymentLedger();
        ledger.add(new Request("o1", "1", new BigDecimal("25.00"), "EUR", "card"), Instant.parse("2026-10-01T10:01:00Z"));
        ledger.add(new Request("o2", "1", new BigDecimal("32.00"), "EUR", "paypal"), Instant.parse("2026-10-06T08:31:00Z"));
        ledger.add(new Request("o8", "2", new BigDecimal("39.90"), "EUR", "card"), Instant.parse("2026-10-09T11:02:00Z"));
        return ledger;
    }

    /** Captures a payment at {@code now}; empty when the ledger is full. */
    Optional<Payment> capture(Request request, Instant now) {
        // Checked before adding, so concurrent payers may overshoot by a few; it is a bound, not a quota.
        if (byId.size() >= CAPACITY) {
            return Optional.empty();
        }
        return Optional.of(add(request, now.truncatedTo(ChronoUnit.SECONDS)));
    }

    private Payment add(Request request, Instant createdAt) {
        long next = sequence.incrementAndGet();
        Payment payment = new Payment("pay" + next, request.orderId(), request.userId(),
                request.amount().setScale(2, RoundingMode.UNNECESSARY), request.currency(), request.method(),
                "captured", createdAt.toString());
        byId.put(payment.id(), new Entry(next, createdAt, payment));
        return payment;
    }

    Optional<Payment> find(String id) {
        return Optional.ofNullable(byId.get(id)).map(Entry::payment);
    }

    /** Payments of {@code userId} (all payments if empty), newest first. */
    List<Payment> list(Optional<String> userId) {
        Predicate<Entry> filter = userId.<Predicate<Entry>>map(id -> entry -> entry.payment().userId().equals(id))
                .orElse(entry -> true);
        return byId.values().stream().filter(filter).sorted(NEWEST_FIRST).map(Entry::payment).toList();
    }
}
