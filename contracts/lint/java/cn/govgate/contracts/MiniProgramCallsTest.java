package cn.govgate.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every govgate call the sample mini-programs make ({@code channel-adapters/alipay/miniprogram},
 * {@code channel-adapters/wechat/miniprogram}) is one {@code gateway-api.yaml} documents: the
 * method and path exist, each query parameter is declared, the body's fields are the request
 * schema's (its required ones all sent) and a required header (Idempotency-Key) is sent. The
 * samples make every call through {@code request('METHOD', 'path', {body}, {headers})} on one line,
 * which is what this test reads; a call written another way fails the count check below.
 */
class MiniProgramCallsTest {
  private static final Path ROOT = Path.of("").toAbsolutePath();
  private static final Pattern CALL =
      Pattern.compile("request\\(\\s*'(GET|POST|PUT|DELETE)'\\s*,\\s*(['`])(.*?)\\2(.*)$");
  private static final Pattern QUERY_NAME = Pattern.compile("[?&]([A-Za-z]+)=");
  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{[^}]*}");
  private static final OpenAPI API = parse();

  private record Call(
      Path file,
      int line,
      String method,
      String path,
      Set<String> query,
      Set<String> body,
      boolean hasBody,
      String rest) {
    @Override
    public String toString() {
      return ROOT.relativize(file) + ":" + line + " " + method + " " + path;
    }
  }

  @TestFactory
  Stream<DynamicTest> everyCallOfTheMiniProgramsIsInTheContract() throws IOException {
    List<DynamicTest> tests = new ArrayList<>();
    for (String channel : List.of("alipay", "wechat")) {
      Path dir = ROOT.resolveSibling("channel-adapters").resolve(channel).resolve("miniprogram");
      List<Call> calls = calls(dir);
      tests.add(
          DynamicTest.dynamicTest(
              channel + ": login, step up, a query, pay, my cases",
              () ->
                  assertThat(
                          calls.stream().map(c -> c.method() + " " + template(c.path())).toList())
                      .contains(
                          "POST /v1/sessions",
                          "POST /v1/identity/verifications",
                          "POST /v1/identity/verifications/{verificationId}/complete",
                          "GET /v1/traffic/vehicles",
                          "GET /v1/traffic/fines",
                          "POST /v1/payments",
                          "GET /v1/payments/{orderId}",
                          "GET /v1/my/cases")));
      for (Call call : calls)
        tests.add(DynamicTest.dynamicTest(call.toString(), () -> check(call)));
    }
    return tests.stream();
  }

  private static void check(Call call) {
    String template = template(call.path());
    PathItem item = API.getPaths().get(template);
    assertThat(item).as("%s: no such path in gateway-api.yaml", call).isNotNull();
    Operation op = item.readOperationsMap().get(PathItem.HttpMethod.valueOf(call.method()));
    assertThat(op).as("%s: no such operation", call).isNotNull();
    List<Parameter> params = new ArrayList<>();
    if (item.getParameters() != null) params.addAll(item.getParameters());
    if (op.getParameters() != null) params.addAll(op.getParameters());
    Set<String> declaredQuery = new LinkedHashSet<>();
    params.stream()
        .filter(p -> "query".equals(p.getIn()))
        .forEach(p -> declaredQuery.add(p.getName()));
    assertThat(declaredQuery).as("%s: query parameters", call).containsAll(call.query());
    params.stream()
        .filter(p -> "query".equals(p.getIn()) && Boolean.TRUE.equals(p.getRequired()))
        .forEach(
            p ->
                assertThat(call.query())
                    .as("%s: required query parameter", call)
                    .contains(p.getName()));
    params.stream()
        .filter(p -> "header".equals(p.getIn()) && Boolean.TRUE.equals(p.getRequired()))
        .forEach(
            p ->
                assertThat(call.rest())
                    .as("%s: required header", call)
                    .contains("'" + p.getName() + "'"));
    boolean bodyRequired =
        op.getRequestBody() != null && Boolean.TRUE.equals(op.getRequestBody().getRequired());
    if (!call.hasBody()) {
      assertThat(bodyRequired).as("%s: the operation needs a body", call).isFalse();
      return;
    }
    assertThat(op.getRequestBody()).as("%s: the operation takes no body", call).isNotNull();
    Schema<?> schema = op.getRequestBody().getContent().get("application/json").getSchema();
    Map<String, Schema> properties = schema.getProperties();
    assertThat(properties).as("%s: request schema has properties", call).isNotNull();
    assertThat(properties.keySet()).as("%s: body fields", call).containsAll(call.body());
    if (schema.getRequired() != null) {
      assertThat(call.body())
          .as("%s: required body fields", call)
          .containsAll(schema.getRequired());
    }
  }

  /**
   * The call's path with each {@code ${…}} matched to the contract's path template of the same
   * shape.
   */
  private static String template(String path) {
    String bare = path.split("\\?", 2)[0];
    if (!bare.contains("${")) return bare;
    String[] segments = bare.split("/");
    for (String candidate : API.getPaths().keySet()) {
      String[] c = candidate.split("/");
      if (c.length != segments.length) continue;
      boolean same = true;
      for (int i = 0; i < c.length && same; i++) {
        boolean variable = PLACEHOLDER.matcher(segments[i]).matches();
        same = variable ? c[i].startsWith("{") : c[i].equals(segments[i]);
      }
      if (same) return candidate;
    }
    return bare;
  }

  private static List<Call> calls(Path dir) throws IOException {
    assertThat(dir).isDirectory();
    List<Call> calls = new ArrayList<>();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path file : files.filter(p -> p.toString().endsWith(".js")).sorted().toList()) {
        List<String> lines = Files.readAllLines(file);
        for (int i = 0; i < lines.size(); i++) {
          Matcher m = CALL.matcher(lines.get(i));
          if (!m.find() || lines.get(i).contains("function request(")) continue;
          String rest = m.group(4);
          Set<String> query = new LinkedHashSet<>();
          Matcher q = QUERY_NAME.matcher(m.group(3) + rest);
          while (q.find()) query.add(q.group(1));
          String body = rest.strip().startsWith(",") ? rest.strip().substring(1).strip() : "";
          boolean hasBody = body.startsWith("{");
          calls.add(
              new Call(
                  file,
                  i + 1,
                  m.group(1),
                  m.group(3),
                  query,
                  hasBody ? keys(body) : Set.of(),
                  hasBody,
                  rest));
        }
      }
    }
    assertThat(calls).as("calls found in %s", dir).isNotEmpty();
    return calls;
  }

  /**
   * The top-level keys of the object literal that {@code text} starts with ({@code {a: 1, b}} → a,
   * b).
   */
  private static Set<String> keys(String text) {
    Set<String> keys = new LinkedHashSet<>();
    int depth = 0;
    StringBuilder entry = new StringBuilder();
    for (int i = 0; i < text.length(); i++) {
      char ch = text.charAt(i);
      if (ch == '{' || ch == '(' || ch == '[') depth++;
      if (ch == '}' || ch == ')' || ch == ']') depth--;
      if (depth == 0) {
        addKey(keys, entry.toString());
        break;
      }
      if (depth == 1 && ch == ',') {
        addKey(keys, entry.toString());
        entry.setLength(0);
      } else if (!(depth == 1 && ch == '{')) {
        entry.append(ch);
      }
    }
    return keys;
  }

  private static void addKey(Set<String> keys, String entry) {
    String e = entry.strip();
    if (e.isEmpty()) return;
    int colon = e.indexOf(':');
    keys.add((colon < 0 ? e : e.substring(0, colon)).strip().replace("'", ""));
  }

  private static OpenAPI parse() {
    ParseOptions options = new ParseOptions();
    options.setResolve(true);
    options.setResolveFully(true);
    return new OpenAPIV3Parser()
        .readLocation(ROOT.resolve("gateway-api.yaml").toUri().toString(), null, options)
        .getOpenAPI();
  }
}
