package io.concierge.demo.products;

/** Stock of one product. */
public record Inventory(String productId, boolean inStock, int quantity, String warehouse) {
}
