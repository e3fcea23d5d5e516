package io.concierge.demo.orders;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import io.concierge.demo.products.Product;
import io.concierge.demo.products.ProductCatalog;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PriceListTest {
    @Test
    void matchesTheProductCatalog() {
        Map<String, BigDecimal> catalog = ProductCatalog.demo().products().stream()
                .collect(Collectors.toMap(Product::id, Product::price));
        assertEquals(catalog, PriceList.all());
    }

    @Test
    void totalsAreExactToTheCent() {
        BigDecimal total = PriceList.total(List.of(new OrderItem("p4", 3), new OrderItem("p5", 1)));
        assertEquals(new BigDecimal("199.22"), total);
    }
}
