package dev.distillery.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class NumberCellsTest {
    @Test
    void formattedNumbersReadAsTheNumberTheyShow() {
        assertThat(NumberCells.parse("$32,611", false)).isEqualTo(32611f);
        assertThat(NumberCells.parse("-$1,200.50", false)).isEqualTo(-1200.5f);
        assertThat(NumberCells.parse("$-1,200.50", false)).isEqualTo(-1200.5f);
        assertThat(NumberCells.parse("1,234,567", false)).isEqualTo(1234567f);
        assertThat(NumberCells.parse("63%", false)).isEqualTo(0.63f);
        assertThat(NumberCells.parse("12.5 %", false)).isEqualTo(0.125f);
        assertThat(NumberCells.parse("€ 40", false)).isEqualTo(40f);
        assertThat(NumberCells.parse("40 USD", false)).isEqualTo(40f);
        // where a comma is the decimal separator, thousands are grouped by points, spaces or apostrophes
        assertThat(NumberCells.parse("1.250,00 €", true)).isEqualTo(1250f);
        assertThat(NumberCells.parse("32\u00A0611", true)).isEqualTo(32611f);
        assertThat(NumberCells.parse("1'250", true)).isEqualTo(1250f);
        assertThat(NumberCells.parse("41000,50", true)).isEqualTo(41000.5f);
        assertThat(NumberCells.parse("7,5%", true)).isEqualTo(0.075f);
        // negatives as accounting exports write them: in parentheses, SAP's trailing minus, the typographic minus
        assertThat(NumberCells.parse("(1,200.50)", false)).isEqualTo(-1200.5f);
        assertThat(NumberCells.parse("($40)", false)).isEqualTo(-40f);
        assertThat(NumberCells.parse("(40)", false)).isEqualTo(-40f);
        assertThat(NumberCells.parse("1.200,50-", true)).isEqualTo(-1200.5f);
        assertThat(NumberCells.parse("\u22125", false)).isEqualTo(-5f);
        assertThat(NumberCells.parse("\u22121.5", false)).isEqualTo(-1.5f);
    }

    @Test
    void aCellIsWrittenAsThePlainDecimalItReadsAsExactly() {
        assertThat(NumberCells.plainDecimal("820,97", true, true)).isEqualTo("820.97");
        assertThat(NumberCells.plainDecimal("1.250,5", true, true)).isEqualTo("1250.5");
        assertThat(NumberCells.plainDecimal("1.234.567,891 €", true, true)).isEqualTo("1234567.891");
        assertThat(NumberCells.plainDecimal("7,5%", true, true)).isEqualTo("0.075");
        assertThat(NumberCells.plainDecimal("1.200,50-", true, true)).isEqualTo("-1200.50");
        assertThat(NumberCells.plainDecimal("20000", true, true)).isEqualTo("20000");
        assertThat(NumberCells.plainDecimal("-4e-1", true, true)).isEqualTo("-4e-1");
        assertThat(NumberCells.plainDecimal("$1,200.50", false, false)).isEqualTo("1200.50");
        assertThat(NumberCells.plainDecimal("Rechnung", true, true)).isNull();
        assertThat(NumberCells.plainDecimal("1,250.00", true, true)).isNull();
        // "1.250": thousands where the column's points group them, 1.25 where it writes decimals with a point
        assertThat(NumberCells.plainDecimal("1.250", true, true)).isEqualTo("1250");
        assertThat(NumberCells.plainDecimal("1.250", true, false)).isEqualTo("1.250");
        assertThat(NumberCells.plainDecimal("1.250", false, true)).as("a comma file's point is a decimal point").isEqualTo("1.250");
        // whatever the form, the plain decimal reads as the number the cell reads as
        for (String cell : new String[] {"820,97", "1.250", "12.000.000", "1.250,5", "7,5%", "(40)", "1'250", "32\u00A0611", ",5",
            "-0,25", "1e3", "0.750"}) {
            for (boolean pointsGroup : new boolean[] {true, false}) {
                assertThat(Float.parseFloat(NumberCells.plainDecimal(cell, true, pointsGroup))).as(cell)
                        .isEqualTo(NumberCells.parse(cell, true, pointsGroup));
            }
        }
    }

    @Test
    void aPointThatMayGroupThousandsIsToldFromADecimalPoint() {
        for (String groups : new String[] {"1.250", "12.000", "-1.250.000", "999.999"}) {
            assertThat(NumberCells.pointsMayGroup(groups)).as(groups).isTrue();
            assertThat(NumberCells.hasDecimalPoint(groups)).as(groups).isFalse();
        }
        for (String decimal : new String[] {"2.5", "0.750", "1234.5", "12.34", ".5", "1.2500", "3.14e2"}) {
            assertThat(NumberCells.pointsMayGroup(decimal)).as(decimal).isFalse();
            assertThat(NumberCells.hasDecimalPoint(decimal)).as(decimal).isTrue();
        }
        assertThat(NumberCells.hasDecimalPoint("820,97")).isFalse();
        assertThat(NumberCells.pointsMayGroup("1.250,5")).as("a decimal comma: formatted, grouped either way").isFalse();
        assertThat(NumberCells.parse("1.250", true, true)).isEqualTo(1250f);
        assertThat(NumberCells.parse("1.250", true, false)).isEqualTo(1.25f);
    }

    @Test
    void plainNumbersAreNotFormattedAndAmbiguousOnesAreNoNumbers() {
        assertThat(NumberCells.formatted("1200", false)).isNull();
        assertThat(NumberCells.parse("-4e-1", false)).isEqualTo(-0.4f);
        for (String notANumber : new String[] {"1,5", "1,20,000", "12,34.5", "$", "%", "$12$", "-$-3", "abc", "1.250,00", "(-40)", "()", "(abc)", "--5", "5--"}) {
            assertThatThrownBy(() -> NumberCells.parse(notANumber, false)).as(notANumber).isInstanceOf(NumberFormatException.class);
        }
        assertThatThrownBy(() -> NumberCells.parse("1,250.00", true)).isInstanceOf(NumberFormatException.class);
    }
}
