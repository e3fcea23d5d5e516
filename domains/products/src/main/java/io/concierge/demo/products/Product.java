package io.concierge.demo.products;

import java.math.BigDecimal;

/** A catalog entry; prices are decimals so that totals computed from them are exact. */
public record Product(String id, String name, BigDecimal price, String currency, String category) {
}
