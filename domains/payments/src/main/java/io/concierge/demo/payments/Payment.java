package io.concierge.demo.payments;

import java.math.BigDecimal;

/**
 * A captured payment. {@code method} is the kind of payment (card, paypal, ...), never card data;
 * {@code createdAt} is an ISO-8601 UTC instant to the second.
 */
public record Payment(String id, String orderId, String userId, BigDecimal amount, String currency,
                      String method, String status, String createdAt) {
}
