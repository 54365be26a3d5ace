package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Which group names are near enough that a configured one is taken for a misspelling of the one used
 * ({@code HostileInputsTest.aGroupUsedWithNearlyAConfiguredGroupsNameIsSaidOncePerConfiguredGroup} shows the
 * warning).
 */
class LimiterGroupsTest {

    @Test
    void nearNamesDifferByCaseSeparatorsOrOneEdit() {
        assertThat(LimiterGroups.nearly("pricing", "pricng")).isTrue();
        assertThat(LimiterGroups.nearly("pricing", "prizing")).isTrue();
        assertThat(LimiterGroups.nearly("pricing", "pricings")).isTrue();
        assertThat(LimiterGroups.nearly("pricingApi", "pricing-api")).isTrue();
        assertThat(LimiterGroups.nearly("PRICING", "pricing")).isTrue();
        assertThat(LimiterGroups.nearly("a", "")).isTrue();
        assertThat(LimiterGroups.nearly("pricing", "pircing")).as("a swap is two edits").isFalse();
        assertThat(LimiterGroups.nearly("billing-eu", "billing-us")).isFalse();
        assertThat(LimiterGroups.nearly("pricing", "pri")).isFalse();
        assertThat(LimiterGroups.nearly("db", "io")).isFalse();
    }
}
