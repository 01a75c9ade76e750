package dev.distillery.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class PersonNamesTest {
    @Test
    void headersThatNameAPersonAndHeadersThatNameAThing() {
        for (String header : List.of("name", "Name", "last_name", "First Name", "customerName", "surname", "Vorname", "patient_name")) {
            assertThat(PersonNames.headerNamesAPerson(header)).as(header).isTrue();
        }
        for (String header : List.of("product_name", "city name", "filename", "customer", "name_id", "region")) {
            assertThat(PersonNames.headerNamesAPerson(header)).as(header).isFalse();
        }
    }

    @Test
    void valuesWrittenAsNamesThatBeginWithAGivenName() {
        for (String value : List.of("Anna Kahn", "Kahn, Anna", "Braund, Mr. Owen Harris", "Jean-Luc Picard", "Aurélie Dupont",
                "Dr. Maria Lopez")) {
            assertThat(PersonNames.readsAsName(value)).as(value).isTrue();
        }
        for (String value : List.of("Anna", "anna kahn", "San Jose", "Gold Card", "Maria 2", "New York")) {
            assertThat(PersonNames.readsAsName(value)).as(value).isFalse();
        }
    }

    @Test
    void aColumnNeedsMostOfItsValuesAndThreeToBeNames() {
        assertThat(PersonNames.holdsNames(false, List.of("Anna Kahn", "Ben Ross", "Carl Stone", "retail"))).isTrue();
        assertThat(PersonNames.holdsNames(false, List.of("Anna Kahn", "Ben Ross"))).isFalse();
        assertThat(PersonNames.holdsNames(false, List.of("Anna Kahn", "Ben Ross", "Carl Stone", "a", "b", "c", "d"))).isFalse();
        assertThat(PersonNames.holdsNames(true, List.of("Stone", "Ross"))).isTrue();
        assertThat(PersonNames.holdsNames(true, List.of("Stone", "Unit 7"))).isFalse();
    }
}
