package io.concierge.gateway.grpc;

import java.util.Base64;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;

/**
 * Converts one path or query value to its field's type, as the protobuf JSON mapping reads a JSON
 * string: decimal integers (unsigned for the uint types), decimal floats and NaN/Infinity,
 * {@code true}/{@code false}, enums by name (or number), bytes as base64 (standard or URL-safe).
 */
final class ValueConverter {
    private ValueConverter() {
    }

    /**
     * @param what how the problem names the value, e.g. {@code query parameter 'minPrice'}
     */
    static Object convert(FieldDescriptor field, String value, String what) throws BadValueException {
        try {
            return switch (field.getType()) {
                case STRING -> value;
                case INT32, SINT32, SFIXED32 -> Integer.parseInt(value);
                case UINT32, FIXED32 -> Integer.parseUnsignedInt(value);
                case INT64, SINT64, SFIXED64 -> Long.parseLong(value);
                case UINT64, FIXED64 -> Long.parseUnsignedLong(value);
                case DOUBLE -> parseDouble(value);
                case FLOAT -> (float) parseDouble(value);
                case BOOL -> parseBool(value);
                case ENUM -> enumValue(field, value);
                case BYTES -> ByteString.copyFrom(value.indexOf('-') >= 0 || value.indexOf('_') >= 0
                        ? Base64.getUrlDecoder().decode(value) : Base64.getDecoder().decode(value));
                default -> throw new BadValueException(what + " maps to a field of type " + field.getType()
                        + ", which takes no single value");
            };
        } catch (NumberFormatException e) {
            throw new BadValueException(what + " must be " + expected(field) + " (was '" + shorten(value) + "')");
        } catch (IllegalArgumentException e) {
            throw new BadValueException(what + " must be base64 bytes");
        }
    }

    private static double parseDouble(String value) {
        // Double.parseDouble also takes "1d", "0x1p3" and surrounding blanks; the JSON mapping does not.
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (!(c >= '0' && c <= '9') && c != '.' && c != '-' && c != '+' && c != 'e' && c != 'E') {
                if (value.equals("NaN") || value.equals("Infinity") || value.equals("-Infinity")) {
                    break;
                }
                throw new NumberFormatException(value);
            }
        }
        return Double.parseDouble(value);
    }

    private static boolean parseBool(String value) {
        if (value.equals("true")) {
            return true;
        }
        if (value.equals("false")) {
            return false;
        }
        throw new NumberFormatException(value);
    }

    private static EnumValueDescriptor enumValue(FieldDescriptor field, String value) throws BadValueException {
        EnumValueDescriptor v = field.getEnumType().findValueByName(value);
        if (v == null && !value.isEmpty() && (Character.isDigit(value.charAt(0)) || value.charAt(0) == '-')) {
            try {
                v = field.getEnumType().findValueByNumber(Integer.parseInt(value));
            } catch (NumberFormatException e) {
                v = null;
            }
        }
        if (v == null) {
            throw new BadValueException("'" + shorten(value) + "' is not one of "
                    + field.getEnumType().getValues().stream().map(EnumValueDescriptor::getName).toList());
        }
        return v;
    }

    private static String expected(FieldDescriptor field) {
        return switch (field.getType()) {
            case INT32, SINT32, SFIXED32, INT64, SINT64, SFIXED64 -> "an integer";
            case UINT32, FIXED32, UINT64, FIXED64 -> "a non-negative integer";
            case DOUBLE, FLOAT -> "a number";
            case BOOL -> "true or false";
            default -> "a " + field.getType().name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    /** A problem echoes at most a short prefix of what the client sent. */
    private static String shorten(String value) {
        return value.length() <= 40 ? value : value.substring(0, 40) + "...";
    }
}
