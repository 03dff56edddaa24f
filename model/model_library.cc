// Anchor translation unit so the infeval_model library always has a source, whatever subset of model/ exists.
namespace infeval {
int model_library_anchor = 0;
}
