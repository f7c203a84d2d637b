"""`kiosk speak "texte"`: lets an installer hear (or record) the kiosk's voice."""

from __future__ import annotations

import argparse
from pathlib import Path

from kiosk.cli import UserError
from kiosk.core.speech import (
    DEFAULT_RATE_WPM,
    DEFAULT_VOLUME_STEP,
    MAX_RATE_WPM,
    MIN_RATE_WPM,
    VOLUME_LEVELS,
    AudioOutput,
)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "speak", help="faire parler la borne (vérifier la voix)",
        description="Dit un texte avec la voix de la borne, ou l'enregistre dans un fichier WAV.")
    parser.add_argument("text", metavar="TEXTE", help="le texte à dire")
    parser.add_argument("--lang", default="fr", help="langue de la voix (fr par défaut)")
    parser.add_argument("--rate", type=int, default=DEFAULT_RATE_WPM,
                        help=f"vitesse en mots par minute, de {MIN_RATE_WPM} à {MAX_RATE_WPM} "
                             f"({DEFAULT_RATE_WPM} par défaut)")
    parser.add_argument("--volume", type=int, default=DEFAULT_VOLUME_STEP,
                        help=f"niveau de volume, de 0 à {len(VOLUME_LEVELS) - 1} ({DEFAULT_VOLUME_STEP} par défaut)")
    parser.add_argument("--out", metavar="FICHIER.wav", help="enregistrer dans ce fichier au lieu de jouer")
    parser.add_argument("--device", help="sortie son ALSA (par défaut celle du système ; « null » : aucune)")
    parser.add_argument("--player", choices=("aplay", "play"), default="aplay",
                        help="programme de lecture : aplay (par défaut) ou play (sox)")
    parser.set_defaults(func=speak)


def speak(args: argparse.Namespace) -> int:
    from kiosk.services.speech import EngineUnavailable, get_engine, synthesize, write_wav
    from kiosk.services.speech.espeak import EspeakSpeaker
    from kiosk.services.speech.player import PlayerConfig

    if not args.text.strip():
        raise UserError("Le texte à dire est vide : donnez un texte entre guillemets.")
    if not MIN_RATE_WPM <= args.rate <= MAX_RATE_WPM:
        raise UserError(f"La vitesse doit être un nombre de {MIN_RATE_WPM} à {MAX_RATE_WPM} mots par minute.")
    if not 0 <= args.volume < len(VOLUME_LEVELS):
        raise UserError(f"Le volume doit être un nombre de 0 à {len(VOLUME_LEVELS) - 1}.")
    engine = get_engine()
    if engine.wait_ready() is not None:
        raise UserError("La voix ne marche pas sur cette machine : installez le paquet espeak-ng.")
    voice = engine.voice_for(args.lang)
    if voice is None:
        raise UserError(f"Il n'y a pas de voix pour la langue « {args.lang} » sur cette machine.")

    if args.out:
        out = Path(args.out)
        if out.suffix.lower() != ".wav":
            raise UserError("Le fichier de sortie doit finir par .wav.")
        if not out.parent.exists():
            raise UserError(f"Le dossier {out.parent} n'existe pas.")
        try:
            audio = synthesize(args.text, args.lang, args.rate, args.volume, engine=engine)
            write_wav(audio, out)
        except EngineUnavailable:
            raise UserError("La voix ne marche pas sur cette machine : installez le paquet espeak-ng.") from None
        except OSError:
            raise UserError(f"Le fichier {out} ne peut pas être écrit.") from None
        print(f"{out} : {audio.duration_s:.1f} secondes, voix {voice.name} ({voice.language}), "
              f"{args.rate} mots par minute.")
        return 0

    speaker = EspeakSpeaker(player=PlayerConfig(program=args.player, device=args.device), engine=engine,
                            default_rate=args.rate)
    speaker.set_volume(args.volume)
    try:
        speaker.say(args.text, args.lang)
        speaker.wait()
    finally:
        speaker.close()
    if speaker.audio_output is AudioOutput.NONE:
        raise UserError("Aucune sortie son ne marche : branchez un haut-parleur, ou utilisez --out fichier.wav.")
    print(f"Texte dit avec la voix {voice.name} ({voice.language}), {args.rate} mots par minute.")
    return 0
