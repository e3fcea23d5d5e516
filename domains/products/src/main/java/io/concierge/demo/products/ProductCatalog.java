package io.concierge.demo.products;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The demo catalog. Read-only, so the immutable collections are safe to share between requests. */
public final class ProductCatalog {
    private final List<Product> products;
    private final Map<String, Product> byId;
    private final Map<String, List<Review>> reviewsByProduct;
    private final Map<String, Inventory> inventoryByProduct;

    private ProductCatalog(List<Product> products, List<Review> reviews, List<Inventory> inventory) {
        this.products = List.copyOf(products);
        this.byId = products.stream().collect(Collectors.toUnmodifiableMap(Product::id, Function.identity()));
        this.reviewsByProduct = reviews.stream().collect(Collectors.groupingBy(Review::productId,
                Collectors.toUnmodifiableList()));
        this.inventoryByProduct = inventory.stream()
                .collect(Collectors.toUnmodifiableMap(Inventory::productId, Function.identity()));
    }

    /** Products p1..p5, with reviews for most and inventory for all; p4 is out of stock. */
    public static ProductCatalog demo() {
        return new ProductCatalog(
                List.of(
                        new Product("p1", "Espresso beans, 1 kg", new BigDecimal("12.5"), "EUR", "coffee"),
                        new Product("p2", "Pour-over kettle", new BigDecimal("39.9"), "EUR", "equipment"),
                        new Product("p3", "Ceramic mug", new BigDecimal("8"), "EUR", "tableware"),
                        new Product("p4", "Hand grinder", new BigDecimal("64.99"), "EUR", "equipment"),
                        new Product("p5", "Paper filters, 100 pack", new BigDecimal("4.25"), "EUR", "accessories")),
                List.of(
                        new Review("r1", "p1", 5, "Rich crema, chocolate notes."),
                        new Review("r2", "p1", 4, "Good, a little too dark for me."),
                        new Review("r3", "p2", 5, "The spout makes pouring easy."),
                        new Review("r4", "p3", 3, "Nice mug, chips easily."),
                        new Review("r5", "p4", 5, "Consistent grind, worth the price."),
                        new Review("r6", "p4", 4, "Takes a while for espresso.")),
                List.of(
                        new Inventory("p1", true, 42, "Hamburg"),
                        new Inventory("p2", true, 7, "Hamburg"),
                        new Inventory("p3", true, 120, "Lyon"),
                        new Inventory("p4", false, 0, "Lyon"),
                        new Inventory("p5", true, 300, "Hamburg")));
    }

    public List<Product> products() {
        return products;
    }

    public Optional<Product> find(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    /** Reviews of a known product; empty when it has none. */
    public List<Review> reviews(String productId) {
        return reviewsByProduct.getOrDefault(productId, List.of());
    }

    public Optional<Inventory> inventory(String productId) {
        return Optional.ofNullable(inventoryByProduct.get(productId));
    }
}
