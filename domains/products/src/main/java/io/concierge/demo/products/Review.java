package io.concierge.demo.products;

/** A customer review of a product; rating from 1 to 5. */
public record Review(String id, String productId, int rating, String comment) {
}
