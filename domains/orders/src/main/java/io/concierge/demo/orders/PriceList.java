package io.concierge.demo.orders;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Unit prices of the demo catalog (EUR), used to compute order totals. A copy of the products
 * service's prices, because the demo services stay independent of each other (composition is the
 * gateways' job); a test keeps the two in step.
 */
final class PriceList {
    private static final Map<String, BigDecimal> PRICES = Map.of(
            "p1", new BigDecimal("12.5"),
            "p2", new BigDecimal("39.9"),
            "p3", new BigDecimal("8"),
            "p4", new BigDecimal("64.99"),
            "p5", new BigDecimal("4.25"));

    private PriceList() {
    }

    static Optional<BigDecimal> price(String productId) {
        return Optional.ofNullable(PRICES.get(productId));
    }

    static Map<String, BigDecimal> all() {
        return PRICES;
    }

    /** The order total to the cent; every item's product must be priced. */
    static BigDecimal total(List<OrderItem> items) {
        return items.stream()
                .map(item -> PRICES.get(item.productId()).multiply(BigDecimal.valueOf(item.quantity())))
                .reduce(BigDecimal.ZERO, BigDecimal::add)
                .setScale(2, RoundingMode.HALF_UP);
    }
}
