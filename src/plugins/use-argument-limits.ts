import {
  type DefinitionNode,
  GraphQLError,
  Kind,
  type OperationDefinitionNode,
  type TypeNode,
  type ValidationRule,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { type ErrorCode, refusal } from '../errors.js';

export interface ArgumentLimits {
  /**
   * Most items in any list argument (`nodes(ids:)`, `labels`, …), whether written in the document or
   * sent in variables. Each id of `nodes` can be one upstream call.
   * @default 100
   */
  maxListLength?: number;
  /**
   * Longest string argument. Ids and search strings have tighter limits of their own, checked per field;
   * this bound only keeps megabyte strings from reaching any resolver.
   * @default 1024
   */
  maxStringLength?: number;
  /**
   * Most entity representations in one `_entities` call. A federation gateway sends every entity of
   * this subgraph that one query needs in one list, so it gets a larger bound; the call budget still
   * bounds what they cost.
   * @default 1000
   */
  maxRepresentations?: number;
}

function tooBig(message: string, status: number | null) {
  return refusal('LIMIT_EXCEEDED', message, status);
}

/**
 * Bounds the size of arguments before anything runs. Literals are checked by a validation rule (so the
 * verdict is cached with the document's validation); variables, which change per request, by a walk of
 * their values before execution. Either way the request is refused with 400 and
 * LIMIT_EXCEEDED, and no upstream is called.
 */
export function useArgumentLimits({
  maxListLength = 100,
  maxStringLength = 1024,
  maxRepresentations = 1000,
}: ArgumentLimits = {}): Plugin {
  const literalRule: ValidationRule = (context) => ({
    [Kind.LIST]: (node) => {
      if (node.values.length > maxListLength) {
        context.reportError(
          new GraphQLError(`A list argument holds ${node.values.length} items; at most ${maxListLength}.`, {
            nodes: node,
            extensions: { code: 'LIMIT_EXCEEDED' satisfies ErrorCode },
          }),
        );
      }
    },
    [Kind.STRING]: (node) => {
      if (node.value.length > maxStringLength) {
        context.reportError(
          new GraphQLError(`A string argument is longer than ${maxStringLength} characters.`, {
            nodes: node,
            extensions: { code: 'LIMIT_EXCEEDED' satisfies ErrorCode },
          }),
        );
      }
    },
  });

  /** The first breach in a variables value, or null; depth-bounded like any JSON the parser accepted. */
  const breach = (value: unknown, depth: number, maxList = maxListLength): string | null => {
    if (typeof value === 'string') {
      return value.length > maxStringLength
        ? `A string variable is longer than ${maxStringLength} characters.`
        : null;
    }
    if (typeof value !== 'object' || value === null || depth > 8) return null;
    if (Array.isArray(value)) {
      if (value.length > maxList) return `A list variable holds ${value.length} items; at most ${maxList}.`;
      for (const item of value) {
        const found = breach(item, depth + 1);
        if (found) return found;
      }
      return null;
    }
    for (const key in value) {
      const found = breach((value as Record<string, unknown>)[key], depth + 1);
      if (found) return found;
    }
    return null;
  };

  return {
    // Checked once the document is parsed and valid, so that each variable is held to the bound of
    // the type it is declared with: a list of `_Any` (federation's representations) gets its own.
    onExecute({ args }) {
      const variables = args.variableValues as Record<string, unknown> | null | undefined;
      if (!variables) return;
      const operation = args.document.definitions.find(
        (d: DefinitionNode): d is OperationDefinitionNode =>
          d.kind === Kind.OPERATION_DEFINITION &&
          (!args.operationName || d.name?.value === args.operationName),
      );
      for (const definition of operation?.variableDefinitions ?? []) {
        const value = variables[definition.variable.name.value];
        const maxList = namedType(definition.type) === '_Any' ? maxRepresentations : maxListLength;
        const found = breach(value, 0, maxList);
        if (found) throw tooBig(found, 400);
      }
    },
    onValidate({ addValidationRule }) {
      addValidationRule(literalRule);
    },
  };
}

function namedType(type: TypeNode): string {
  return type.kind === Kind.NAMED_TYPE ? type.name.value : namedType(type.type);
}
