// enketo-core's widgets (date pickers, maps, signatures) only dress its inputs; the check needs
// the engine alone, and the maps widget's dependency is no npm package (a git repository).
export default [];
