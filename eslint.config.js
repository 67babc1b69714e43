// ESLint (flat config) for the browser code: native ES modules, no build step.
// `make lint` runs: npx --no-install eslint --max-warnings 0 static/js
import js from "@eslint/js";
import globals from "globals";

export default [
  { ignores: ["static/vendor/**", "node_modules/**"] },
  js.configs.recommended,
  {
    files: ["static/js/**/*.js"],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "module",
      globals: { ...globals.browser },
    },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      "no-unused-vars": ["error", { args: "after-used", argsIgnorePattern: "^_", caughtErrors: "none" }],
      "no-shadow": "error",
      "no-var": "error",
      "prefer-const": "error",
      eqeqeq: ["error", "always"],
      "no-implicit-globals": "error",
      // Closures may name a const declared further down (it exists by the time they run).
      "no-use-before-define": ["error", { functions: false, classes: true, variables: false }],
      "object-shorthand": "error",
      "no-console": ["error", { allow: ["error", "warn"] }],
    },
  },
];
