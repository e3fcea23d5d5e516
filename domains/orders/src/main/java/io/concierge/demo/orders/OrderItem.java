package io.concierge.demo.orders;

/** One line of an order. */
public record OrderItem(String productId, int quantity) {
}
