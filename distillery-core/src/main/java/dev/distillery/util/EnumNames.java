package dev.distillery.util;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Command-line names of enum constants: lower case with dashes, {@code NOISE_RATE} is {@code noise-rate}. */
public final class EnumNames {
    private EnumNames() {}

    public static String of(Enum<?> constant) {
        return constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The constant named {@code name}; otherwise an error naming {@code what} and every accepted name. */
    public static <E extends Enum<E>> E parse(Class<E> type, String name, String what) {
        for (E e : type.getEnumConstants()) {
            if (of(e).equals(name)) {
                return e;
            }
        }
        throw new IllegalArgumentException("unknown " + what + " '" + name + "'; expected "
                + Arrays.stream(type.getEnumConstants()).map(EnumNames::of).collect(Collectors.joining(" or ")));
    }
}
