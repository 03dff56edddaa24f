// MME: the eval tool's results directory as a prediction source (used by `infeval score` when --predictions is a
// directory). One <subtask>.txt per subtask, lines "image\tquestion\tGT\tprediction" (the official tool's format).
#pragma once
#include <string>
#include <vector>

#include "core/task.h"

namespace infeval {

// The samples of an eval-tool results folder itself, for scoring it without a question file as calculation.py
// does: one per line of each <subtask>.txt found (id "<subtask>/<image file name>#k", k counting that image's
// lines),
// GT and question from the line, paired two lines at a time in file order. InputError naming file:line as below,
// or when a subtask has an odd number of lines.
std::vector<Sample> mme_samples_from_results_dir(const std::string& dir);

// Reads every <subtask>.txt of the 14 subtasks found in `dir` and returns one ForeignPrediction per line, its id
// the id of the MME sample it answers: same subtask, same image file name (last path component; LLaVA's
// convert_answer_to_mme.py writes "<stem>.txt", matched by the stem) and the same
// question (the file may hold repr(question), as InfMLLM's convert_answer_to_mme.py writes it) once the LLaVA suffix ("Answer the question using a single word or phrase."), "Please answer yes or
// no." and surrounding spaces are set aside; where several samples fit, the first not yet taken, in file order.
// Lines are split the way Python's readlines() does ("\n", "\r\n", "\r"); a tab inside the prediction stays part of
// the prediction (fields 4.. are joined back), where calculation.py would crash. InputError naming file:line for a
// line with fewer than 4 fields, a GT other than yes/no or other than the sample's answer, or a line that matches
// no sample.
std::vector<ForeignPrediction> read_mme_results_dir(const std::string& dir, const std::vector<Sample>& samples);

}  // namespace infeval
