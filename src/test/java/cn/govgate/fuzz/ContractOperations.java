package cn.govgate.fuzz;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Every operation of {@code contracts/gateway-api.yaml} and {@code contracts/admin-api.yaml}
 * (parsed with swagger-parser, references resolved), plus the channel callbacks, which speak the
 * channels' wire formats and have no OpenAPI document of ours.
 */
final class ContractOperations {
  static final List<String> DOCUMENTS = List.of("gateway-api.yaml", "admin-api.yaml");

  enum Kind {
    /** A gateway API: every refusal in the error shape. */
    API,
    /** {@code /health/*}, {@code /metrics}. */
    OPS,
    /**
     * A channel callback: the channel's own reply, or the error shape when the input guard refuses.
     */
    CALLBACK
  }

  record Param(String name, String in, boolean required, Schema<?> schema) {}

  /**
   * @param path the full path template as the gateway serves it, e.g. {@code
   *     /admin/v1/departments/{departmentId}}
   * @param body the JSON request body's schema, or null
   */
  record Operation(
      String method,
      String path,
      String operationId,
      List<Param> params,
      Schema<?> body,
      boolean bodyRequired,
      boolean secured,
      Kind kind) {
    List<Param> in(String where) {
      return params.stream().filter(p -> p.in().equals(where)).toList();
    }

    @Override
    public String toString() {
      return method + " " + path;
    }
  }

  private ContractOperations() {}

  static List<Operation> load() {
    Path dir = copyContracts();
    List<Operation> ops = new ArrayList<>();
    for (String document : DOCUMENTS) ops.addAll(parse(dir.resolve(document)));
    ops.add(
        new Operation(
            "POST",
            "/callbacks/alipay",
            "alipayCallback",
            List.of(),
            null,
            true,
            false,
            Kind.CALLBACK));
    ops.add(
        new Operation(
            "POST",
            "/callbacks/wechat",
            "wechatCallback",
            List.of(),
            null,
            true,
            false,
            Kind.CALLBACK));
    ops.add(
        new Operation(
            "POST",
            "/callbacks/wechat/refunds",
            "wechatRefundCallback",
            List.of(),
            null,
            true,
            false,
            Kind.CALLBACK));
    return List.copyOf(ops);
  }

  static List<Operation> parse(Path document) {
    ParseOptions options = new ParseOptions();
    options.setResolve(true);
    options.setResolveFully(true);
    SwaggerParseResult result =
        new OpenAPIV3Parser().readLocation(document.toUri().toString(), null, options);
    OpenAPI api = result.getOpenAPI();
    if (api == null)
      throw new IllegalStateException("cannot parse " + document + ": " + result.getMessages());
    String prefix =
        api.getServers() == null || api.getServers().isEmpty()
            ? ""
            : URI.create(api.getServers().get(0).getUrl()).getPath().replaceAll("/$", "");
    List<Operation> ops = new ArrayList<>();
    api.getPaths()
        .forEach(
            (path, item) ->
                item.readOperationsMap()
                    .forEach(
                        (method, op) -> {
                          List<Param> params = new ArrayList<>();
                          List<Parameter> declared = new ArrayList<>();
                          if (item.getParameters() != null) declared.addAll(item.getParameters());
                          if (op.getParameters() != null) declared.addAll(op.getParameters());
                          for (Parameter p : declared) {
                            params.add(
                                new Param(
                                    p.getName(),
                                    p.getIn(),
                                    Boolean.TRUE.equals(p.getRequired()),
                                    p.getSchema()));
                          }
                          Schema<?> body = null;
                          boolean bodyRequired = false;
                          if (op.getRequestBody() != null
                              && op.getRequestBody().getContent() != null) {
                            MediaType json =
                                op.getRequestBody().getContent().get("application/json");
                            if (json != null) body = json.getSchema();
                            bodyRequired = Boolean.TRUE.equals(op.getRequestBody().getRequired());
                          }
                          String full = prefix + path;
                          boolean secured =
                              op.getSecurity() != null
                                  ? !op.getSecurity().isEmpty()
                                  : api.getSecurity() != null && !api.getSecurity().isEmpty();
                          Kind kind =
                              full.startsWith("/health/") || full.equals("/metrics")
                                  ? Kind.OPS
                                  : Kind.API;
                          ops.add(
                              new Operation(
                                  method.name().toUpperCase(Locale.ROOT),
                                  full,
                                  op.getOperationId(),
                                  List.copyOf(params),
                                  body,
                                  bodyRequired,
                                  secured,
                                  kind));
                        }));
    return ops;
  }

  /**
   * The contracts are resources of the contracts jar; the parser resolves their relative references
   * from files.
   */
  private static Path copyContracts() {
    try {
      Path dir = Files.createTempDirectory("govgate-contracts");
      Files.createDirectories(dir.resolve("schemas"));
      for (String name : List.of("gateway-api.yaml", "admin-api.yaml", "schemas/error.json")) {
        try (InputStream in =
            ContractOperations.class.getClassLoader().getResourceAsStream("contracts/" + name)) {
          if (in == null) throw new IllegalStateException("no contract resource " + name);
          Files.copy(in, dir.resolve(name));
        }
      }
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
