package io.concierge.demo.orders;

import java.math.BigDecimal;
import java.util.List;

/**
 * An order. {@code createdAt} is an ISO-8601 UTC instant to the second, kept as text so the JSON
 * needs no date/time module.
 */
public record Order(String id, String userId, List<OrderItem> items, BigDecimal total, String status,
                    String createdAt) {
    public Order {
        items = List.copyOf(items);
    }
}
