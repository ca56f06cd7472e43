package cn.govgate.testing;

import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.Validator;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Loads schemas from the contracts jar and validates real responses against them. */
public final class Contracts {
  private Contracts() {}

  /** Reads a contracts resource, e.g. {@code schemas/error.json}. */
  public static String read(String path) {
    try (InputStream in =
        Contracts.class.getClassLoader().getResourceAsStream("contracts/" + path)) {
      if (in == null) throw new IllegalArgumentException("no contract resource " + path);
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Validates {@code json} against a JSON Schema of the contracts; returns the validator's output.
   */
  public static OutputUnit validate(String schemaPath, Object json) {
    JsonObject schema = new JsonObject(read(schemaPath));
    Validator validator =
        Validator.create(
            JsonSchema.of(schema),
            new JsonSchemaOptions()
                .setDraft(Draft.DRAFT202012)
                .setBaseUri("https://govgate.cn/contracts/"));
    return validator.validate(json);
  }

  /** Asserts that {@code json} is a valid error body whose code is in the error catalogue. */
  public static void assertError(JsonObject json) {
    OutputUnit out = validate("schemas/error.json", json);
    if (!out.getValid())
      throw new AssertionError("not a valid error body: " + json + " — " + out.getErrors());
    ErrorCatalogueWatch.check(json);
  }
}
