package io.concierge.demo.orders;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/** All orders, in memory. Safe for concurrent requests: a concurrent map and an atomic id sequence. */
final class OrderBook {
    /** Bounds memory when a load test creates orders in a loop; beyond it creation is refused. */
    static final int CAPACITY = 100_000;

    private record Entry(long sequence, Instant createdAt, Order order) {
    }

    /* Newest first; orders created within the same second keep their creation order. */
    private static final Comparator<Entry> NEWEST_FIRST = Comparator.comparing(Entry::createdAt)
            .thenComparingLong(Entry::sequence)
            .reversed();

    private final Map<String, Entry> byId = new ConcurrentHashMap<>();
    private final AtomicLong sequence = new AtomicLong();

    /**
     * The demo orders o1..o9: alice (user 1) has seven with distinct dates, bob (user 2) two,
     * admin (user 3) none.
     */
    static OrderBook demo() {
        OrderBook book = new OrderBook();
        book.seed("1", "shipped", "2026-10-01T10:00:00Z", new OrderItem("p1", 2));
        book.seed("1", "delivered", "2026-10-06T08:30:00Z", new OrderItem("p3", 4));
        book.seed("1", "delivered", "2026-10-14T17:45:00Z", new OrderItem("p2", 1), new OrderItem("p5", 2));
        book.seed("1", "shipped", "2026-10-27T09:10:00Z", new OrderItem("p4", 1));
        book.seed("1", "shipped", "2026-11-05T12:00:00Z", new OrderItem("p1", 1), new OrderItem("p3", 2));
        book.seed("1", "processing", "2026-11-16T15:20:00Z", new OrderItem("p5", 3));
        book.seed("1", "created", "2026-11-24T19:40:00Z", new OrderItem("p1", 3));
        book.seed("2", "delivered", "2026-10-09T11:00:00Z", new OrderItem("p2", 1));
        book.seed("2", "cancelled", "2026-11-10T16:10:00Z", new OrderItem("p4", 1), new OrderItem("p5", 1));
        return book;
    }

    private void seed(String userId, String status, String createdAt, OrderItem... items) {
        add(userId, List.of(items), status, Instant.parse(createdAt));
    }

    /** Creates an order with status "created" at {@code now}; empty when the book is full. */
    Optional<Order> create(String userId, List<OrderItem> items, Instant now) {
        // Checked before adding, so concurrent creators may overshoot by a few; it is a bound, not a quota.
        if (byId.size() >= CAPACITY) {
            return Optional.empty();
        }
        return Optional.of(add(userId, items, "created", now.truncatedTo(ChronoUnit.SECONDS)));
    }

    private Order add(String userId, List<OrderItem> items, String status, Instant createdAt) {
        long next = sequence.incrementAndGet();
        Order order = new Order("o" + next, userId, items, PriceList.total(items), status, createdAt.toString());
        byId.put(order.id(), new Entry(next, createdAt, order));
        return order;
    }

    Optional<Order> find(String id) {
        return Optional.ofNullable(byId.get(id)).map(Entry::order);
    }

    /** Orders of {@code userId} (all orders if empty), newest first. */
    List<Order> list(Optional<String> userId) {
        Predicate<Entry> filter = userId.<Predicate<Entry>>map(id -> entry -> entry.order().userId().equals(id))
                .orElse(entry -> true);
        return byId.values().stream().filter(filter).sorted(NEWEST_FIRST).map(Entry::order).toList();
    }
}
