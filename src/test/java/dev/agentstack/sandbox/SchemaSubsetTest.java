package dev.agentstack.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import graphql.language.AstPrinter;
import graphql.language.EnumTypeDefinition;
import graphql.language.EnumValueDefinition;
import graphql.language.FieldDefinition;
import graphql.language.InputObjectTypeDefinition;
import graphql.language.InputValueDefinition;
import graphql.language.InterfaceTypeDefinition;
import graphql.language.ObjectTypeDefinition;
import graphql.language.TypeDefinition;
import graphql.language.UnionTypeDefinition;
import graphql.schema.idl.SchemaParser;
import graphql.schema.idl.TypeDefinitionRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * FakeBuildkite's schema is a true subset of Buildkite's published schema (src/test/resources/buildkite/schema.graphql,
 * copied from the reference): every type, field, argument, default and enum value it declares exists there with the
 * same type. So a query our fake accepts has the shape the real API accepts.
 */
class SchemaSubsetTest {

    @Test
    void everyDefinitionOfTheSubsetIsInBuildkitesSchema() throws IOException {
        TypeDefinitionRegistry subset = parse("/sandbox/buildkite-schema-subset.graphqls");
        TypeDefinitionRegistry full = parse("/buildkite/schema.graphql");
        List<String> problems = new ArrayList<>();
        for (TypeDefinition<?> type : subset.types().values()) {
            TypeDefinition<?> real = full.getType(type.getName()).orElse(null);
            if (real == null || real.getClass() != type.getClass()) {
                problems.add(type.getName() + ": not a " + type.getClass().getSimpleName() + " in Buildkite's schema");
                continue;
            }
            if (type instanceof ObjectTypeDefinition o) {
                compareFields(
                        o.getName(),
                        o.getFieldDefinitions(),
                        ((ObjectTypeDefinition) real).getFieldDefinitions(),
                        problems);
                List<String> realInterfaces = ((ObjectTypeDefinition) real)
                        .getImplements().stream().map(AstPrinter::printAst).toList();
                o.getImplements().stream()
                        .map(AstPrinter::printAst)
                        .filter(i -> !realInterfaces.contains(i))
                        .forEach(i -> problems.add(o.getName() + " does not implement " + i));
            } else if (type instanceof InterfaceTypeDefinition i) {
                compareFields(
                        i.getName(),
                        i.getFieldDefinitions(),
                        ((InterfaceTypeDefinition) real).getFieldDefinitions(),
                        problems);
            } else if (type instanceof InputObjectTypeDefinition in) {
                compareInputs(
                        in.getName(),
                        in.getInputValueDefinitions(),
                        ((InputObjectTypeDefinition) real).getInputValueDefinitions(),
                        problems);
            } else if (type instanceof EnumTypeDefinition e) {
                List<String> realValues = ((EnumTypeDefinition) real)
                        .getEnumValueDefinitions().stream()
                                .map(EnumValueDefinition::getName)
                                .toList();
                e.getEnumValueDefinitions().stream()
                        .map(EnumValueDefinition::getName)
                        .filter(v -> !realValues.contains(v))
                        .forEach(v -> problems.add(e.getName() + "." + v + ": no such enum value"));
            } else if (type instanceof UnionTypeDefinition u) {
                assertThat(u.getMemberTypes().stream().map(AstPrinter::printAst).toList())
                        .isEqualTo(((UnionTypeDefinition) real)
                                .getMemberTypes().stream()
                                        .map(AstPrinter::printAst)
                                        .toList());
            }
        }
        assertThat(problems).isEmpty();
        assertThat(subset.types()).containsKeys("Organization", "JobTypeCommand", "JobConnection", "PageInfo");
    }

    private static void compareFields(
            String type, List<FieldDefinition> ours, List<FieldDefinition> real, List<String> problems) {
        Map<String, FieldDefinition> byName =
                real.stream().collect(Collectors.toMap(FieldDefinition::getName, Function.identity()));
        for (FieldDefinition f : ours) {
            FieldDefinition r = byName.get(f.getName());
            if (r == null) {
                problems.add(type + "." + f.getName() + ": no such field");
            } else if (!AstPrinter.printAst(f.getType()).equals(AstPrinter.printAst(r.getType()))) {
                problems.add(type + "." + f.getName() + ": type " + AstPrinter.printAst(f.getType()) + " is "
                        + AstPrinter.printAst(r.getType()) + " in Buildkite's schema");
            } else {
                compareInputs(
                        type + "." + f.getName(), f.getInputValueDefinitions(), r.getInputValueDefinitions(), problems);
            }
        }
    }

    private static void compareInputs(
            String where, List<InputValueDefinition> ours, List<InputValueDefinition> real, List<String> problems) {
        Map<String, InputValueDefinition> byName =
                real.stream().collect(Collectors.toMap(InputValueDefinition::getName, Function.identity()));
        for (InputValueDefinition a : ours) {
            InputValueDefinition r = byName.get(a.getName());
            if (r == null) {
                problems.add(where + "(" + a.getName() + "): no such argument");
            } else if (!AstPrinter.printAst(a.getType()).equals(AstPrinter.printAst(r.getType()))
                    || !Objects.equals(print(a.getDefaultValue()), print(r.getDefaultValue()))) {
                problems.add(where + "(" + a.getName() + "): differs from Buildkite's schema");
            }
        }
    }

    private static String print(graphql.language.Node<?> n) {
        return n == null ? null : AstPrinter.printAst(n);
    }

    private static TypeDefinitionRegistry parse(String resource) throws IOException {
        try (InputStream in = SchemaSubsetTest.class.getResourceAsStream(resource)) {
            return new SchemaParser()
                    .parse(new String(Objects.requireNonNull(in, resource).readAllBytes(), StandardCharsets.UTF_8));
        }
    }
}
